import { describeIssues, routes, summarizeIssues } from "@keyward/contract";
import { ApiError, unauthorized } from "../domain/api-error";
import { hasValidGithubSignature, type SigningKeyDirectory } from "../domain/secret-scanning/github-signature";
import { reportExposedSecrets } from "../domain/secret-scanning/report-exposed-secrets";
import { type RouteKit, sourceIpOf } from "./route-kit";

/**
 * GitHub's secret scanning partner endpoint. GitHub sends no bearer token: the request is
 * authenticated by its ECDSA signature over the raw body, checked before the body is parsed, so
 * this route reads the body as bytes. Unsigned or badly signed → 401 and nothing changes.
 */
export function registerSecretScanningRoutes(kit: RouteKit, githubKeys: SigningKeyDirectory): void {
  const route = routes.reportGithubSecrets;
  kit.app.register(async (scope) => {
    scope.removeContentTypeParser("application/json");
    scope.addContentTypeParser("application/json", { parseAs: "buffer" }, (_request, body, done) => done(null, body));
    scope.route({
      method: route.method,
      url: route.path,
      handler: async (request, reply) => {
        const raw = Buffer.isBuffer(request.body) ? request.body : Buffer.alloc(0);
        const identifier = headerOf(request.headers["github-public-key-identifier"]);
        const signature = headerOf(request.headers["github-public-key-signature"]);
        let signed: boolean;
        try {
          signed = await hasValidGithubSignature(githubKeys, raw, identifier, signature);
        } catch (error) {
          request.log.error({ err: error }, "could not fetch GitHub's secret scanning keys");
          throw new ApiError("UNAVAILABLE", "GitHub's secret scanning keys could not be fetched; try again later");
        }
        if (!signed) {
          throw Object.assign(unauthorized("send GitHub's Github-Public-Key-Identifier and Github-Public-Key-Signature headers over the exact body"), {
            reason: identifier && signature ? "bad-github-signature" : "missing-github-signature",
          });
        }
        const alert = route.body.safeParse(parseJson(raw));
        if (!alert.success) {
          const issues = describeIssues("body", alert.error);
          throw new ApiError("BAD_REQUEST", summarizeIssues(issues), issues);
        }
        const context = { caller: null, requestId: request.id, sourceIp: sourceIpOf(request) };
        const verdicts = await reportExposedSecrets(kit.services, context, alert.data);
        if (kit.checkResponses) route.response.parse(verdicts);
        return reply.status(200).send(verdicts);
      },
    });
  });
}

function headerOf(value: string | string[] | undefined): string | undefined {
  return typeof value === "string" ? value : undefined;
}

function parseJson(raw: Buffer): unknown {
  try {
    return JSON.parse(raw.toString("utf8"));
  } catch {
    throw new ApiError("BAD_REQUEST", "body: must be a JSON array of {token, type, url, source}", [{ field: "body", message: "must be well-formed JSON" }]);
  }
}
