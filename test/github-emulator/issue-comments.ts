/**
 * Issue and pull request comments as GitHub's REST API serves them
 * (docs.github.com/rest/issues/comments): comment ids unique across the server, `per_page`
 * (default 30, at most 100) and `page` with a `Link` header, the 65,536-character body limit,
 * and each comment's author. A pull request is an issue to this API.
 */
export interface StoredComment {
  readonly id: number;
  readonly repository: string;
  readonly issueNumber: number;
  body: string;
  readonly author: string;
  readonly createdAt: string;
  updatedAt: string;
}

export interface CommentPage {
  readonly comments: readonly StoredComment[];
  /** The `Link` header value, when there is more than one page. */
  readonly link: string | undefined;
}

export const MAX_COMMENT_BODY = 65_536;
const DEFAULT_PER_PAGE = 30;
const MAX_PER_PAGE = 100;

export class IssueComments {
  readonly #issues = new Set<string>();
  readonly #comments: StoredComment[] = [];
  #nextId = 1_500_000_000;

  addIssue(repository: string, issueNumber: number): void {
    this.#issues.add(issueKey(repository, issueNumber));
  }

  hasIssue(repository: string, issueNumber: number): boolean {
    return this.#issues.has(issueKey(repository, issueNumber));
  }

  /** The comments on one issue, oldest first. */
  on(repository: string, issueNumber: number): StoredComment[] {
    return this.#comments.filter((comment) => comment.repository === repository.toLowerCase() && comment.issueNumber === issueNumber);
  }

  find(repository: string, id: number): StoredComment | undefined {
    return this.#comments.find((comment) => comment.repository === repository.toLowerCase() && comment.id === id);
  }

  add(repository: string, issueNumber: number, body: string, author: string): StoredComment {
    const now = new Date().toISOString();
    const comment = { id: this.#nextId++, repository: repository.toLowerCase(), issueNumber, body, author, createdAt: now, updatedAt: now };
    this.#comments.push(comment);
    return comment;
  }

  /** One page, as `GET …/issues/{n}/comments?per_page=&page=` answers; `pageUrl` builds the Link targets. */
  page(repository: string, issueNumber: number, query: URLSearchParams, pageUrl: (page: number, perPage: number) => string): CommentPage {
    const perPage = Math.min(MAX_PER_PAGE, positive(query.get("per_page")) ?? DEFAULT_PER_PAGE);
    const page = positive(query.get("page")) ?? 1;
    const all = this.on(repository, issueNumber);
    const last = Math.max(1, Math.ceil(all.length / perPage));
    const links: string[] = [];
    if (page < last) links.push(`<${pageUrl(page + 1, perPage)}>; rel="next"`, `<${pageUrl(last, perPage)}>; rel="last"`);
    if (page > 1) links.push(`<${pageUrl(1, perPage)}>; rel="first"`, `<${pageUrl(Math.min(page - 1, last), perPage)}>; rel="prev"`);
    return { comments: all.slice((page - 1) * perPage, page * perPage), link: links.length > 0 ? links.join(", ") : undefined };
  }
}

/** The JSON GitHub answers for a comment. */
export function commentView(comment: StoredComment, owner: string, name: string, apiUrl: string): Record<string, unknown> {
  const bot = comment.author.endsWith("[bot]");
  return {
    id: comment.id,
    node_id: `IC_${comment.id}`,
    url: `${apiUrl}/repos/${owner}/${name}/issues/comments/${comment.id}`,
    html_url: `https://github.com/${owner}/${name}/pull/${comment.issueNumber}#issuecomment-${comment.id}`,
    issue_url: `${apiUrl}/repos/${owner}/${name}/issues/${comment.issueNumber}`,
    body: comment.body,
    user: { login: comment.author, id: bot ? 41898282 : 1000, type: bot ? "Bot" : "User" },
    author_association: bot ? "NONE" : "MEMBER",
    created_at: comment.createdAt,
    updated_at: comment.updatedAt,
  };
}

function issueKey(repository: string, issueNumber: number): string {
  return `${repository.toLowerCase()}#${issueNumber}`;
}

function positive(text: string | null): number | undefined {
  if (text === null || !/^\d+$/.test(text)) return undefined;
  const value = Number(text);
  return value > 0 ? value : undefined;
}
