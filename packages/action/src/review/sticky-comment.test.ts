import { describe, expect, it } from "vitest";
import { type IssueCommentsApi, MAX_COMMENT_LENGTH, type PostedComment, type PullRequestRef, REVIEW_MARKER, upsertStickyComment } from "./sticky-comment";

const pullRequest: PullRequestRef = { owner: "acme", repo: "api", number: 7 };

/** The comment API over an array, recording what was called. */
function commentsOn(existing: PostedComment[]): IssueCommentsApi & { calls: string[]; comments: PostedComment[] } {
  const comments = [...existing];
  const calls: string[] = [];
  return {
    calls,
    comments,
    async *list() {
      calls.push("list");
      yield* comments;
    },
    async create(_pullRequest, body) {
      calls.push("create");
      const comment = { id: 100 + comments.length, body, authorType: "Bot", url: undefined };
      comments.push(comment);
      return comment;
    },
    async update(_pullRequest, id, body) {
      calls.push(`update ${id}`);
      const index = comments.findIndex((comment) => comment.id === id);
      comments[index] = { ...comments[index]!, body };
      return comments[index]!;
    },
  };
}

const comment = (id: number, body: string, authorType = "User"): PostedComment => ({ id, body, authorType, url: undefined });

describe("upsertStickyComment", () => {
  it("creates the comment, marker first, when the pull request has none", async () => {
    const api = commentsOn([comment(1, "LGTM")]);
    const result = await upsertStickyComment(api, pullRequest, "## Keyward review\n");
    expect(result.action).toBe("created");
    expect(api.calls).toEqual(["list", "create"]);
    expect(api.comments[1]!.body).toBe(`${REVIEW_MARKER}\n## Keyward review\n`);
  });

  it("edits the bot's marked comment rather than a person's comment that quotes the marker", async () => {
    const api = commentsOn([comment(1, `${REVIEW_MARKER}\nfake review`, "User"), comment(2, `${REVIEW_MARKER}\nold review`, "Bot"), comment(3, "LGTM")]);
    const result = await upsertStickyComment(api, pullRequest, "new review\n");
    expect(result.action).toBe("updated");
    expect(api.calls).toEqual(["list", "update 2"]);
    expect(api.comments.map((posted) => posted.body)).toEqual([`${REVIEW_MARKER}\nfake review`, `${REVIEW_MARKER}\nnew review\n`, "LGTM"]);
  });

  it("ignores a comment that merely mentions the marker further down", async () => {
    const api = commentsOn([comment(1, `Why does the action look for ${REVIEW_MARKER}?`)]);
    expect((await upsertStickyComment(api, pullRequest, "review\n")).action).toBe("created");
  });

  it("cuts a review GitHub would refuse at a line break and says where the whole review is", async () => {
    const api = commentsOn([]);
    const rows = Array.from({ length: 3_000 }, (_, index) => `| \`key-${index}\` | live | update |`).join("\n");
    await upsertStickyComment(api, pullRequest, `## Keyward review\n\n${rows}\n`);
    const body = api.comments[0]!.body;
    expect(body.length).toBeLessThanOrEqual(MAX_COMMENT_LENGTH);
    expect(body.startsWith(REVIEW_MARKER)).toBe(true);
    expect(body).toMatch(/\| update \|\n\n\*The review is too long for one comment; the whole review is in the job summary of this workflow run\.\*\n$/);
  });
});
