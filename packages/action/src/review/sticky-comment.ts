/** The hidden line that marks the review comment, so each run finds and edits it. */
export const REVIEW_MARKER = "<!-- keyward-review -->";

/** GitHub refuses a comment body over 65,536 characters. */
export const MAX_COMMENT_LENGTH = 65_536;

export interface PullRequestRef {
  readonly owner: string;
  readonly repo: string;
  readonly number: number;
}

export interface PostedComment {
  readonly id: number;
  readonly body: string;
  /** The author's account type, `Bot` for GITHUB_TOKEN and GitHub Apps. */
  readonly authorType: string | undefined;
  readonly url: string | undefined;
}

/** The issue-comment endpoints a sticky comment needs (GitHub REST: issues/comments). */
export interface IssueCommentsApi {
  list(pullRequest: PullRequestRef): AsyncIterable<PostedComment>;
  create(pullRequest: PullRequestRef, body: string): Promise<PostedComment>;
  update(pullRequest: PullRequestRef, commentId: number, body: string): Promise<PostedComment>;
}

export interface StickyCommentResult {
  readonly action: "created" | "updated";
  readonly comment: PostedComment;
}

/**
 * Posts the review as one comment per pull request, edited in place on every run: the comment is
 * the one whose body starts with the marker, a bot's preferred over a person's (someone could
 * paste the marker into their own comment). Only when none exists is a comment created.
 */
export async function upsertStickyComment(api: IssueCommentsApi, pullRequest: PullRequestRef, markdown: string): Promise<StickyCommentResult> {
  const body = withinLimit(`${REVIEW_MARKER}\n${markdown}`);
  const existing = await findStickyComment(api, pullRequest);
  if (existing === undefined) return { action: "created", comment: await api.create(pullRequest, body) };
  return { action: "updated", comment: await api.update(pullRequest, existing.id, body) };
}

async function findStickyComment(api: IssueCommentsApi, pullRequest: PullRequestRef): Promise<PostedComment | undefined> {
  let fallback: PostedComment | undefined;
  for await (const comment of api.list(pullRequest)) {
    if (!comment.body.startsWith(REVIEW_MARKER)) continue;
    if (comment.authorType === "Bot") return comment;
    fallback ??= comment;
  }
  return fallback;
}

/** Cuts an oversized review at a line break and says where the whole review is. */
function withinLimit(body: string): string {
  if (body.length <= MAX_COMMENT_LENGTH) return body;
  const notice = "\n\n*The review is too long for one comment; the whole review is in the job summary of this workflow run.*\n";
  const cut = body.lastIndexOf("\n", MAX_COMMENT_LENGTH - notice.length);
  return `${body.slice(0, cut)}${notice}`;
}
