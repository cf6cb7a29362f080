// What the virtual users were told: every acknowledged write, kept as the users saw it. The data
// check compares the system against this after the run.

export interface VirtualUser {
  index: number;
  id: number;
  username: string;
  password: string;
  token: string;
  refreshToken: string;
  /** Refresh tokens of this user's extra logins, already spent once, with when: replayed later. */
  spentRefreshTokens: { token: string; spentAt: number }[];
}

export interface PostRecord {
  id: number;
  authorId: number;
  title: string;
  text: string;
  community: string;
  /** Its author deletes it later; nobody votes on it, so karma does not depend on timing. */
  deletable: boolean;
  deleted: boolean;
}

export interface MessageRecord {
  id: number;
  from: VirtualUser;
  to: VirtualUser;
  content: string;
  favorite: { from: boolean; to: boolean };
  deleted: { from: boolean; to: boolean };
}

export interface ScoreRecord {
  attempts: number;
  correct: boolean;
  submissionIds: number[];
}

export class Ledger {
  readonly users: VirtualUser[] = [];
  readonly posts = new Map<number, PostRecord>();
  /** Posts anyone may vote on (never deleted). */
  readonly votable: PostRecord[] = [];
  /** `${userId}:${postId}` → the user's last acknowledged vote: 1, -1 or 0. */
  readonly votes = new Map<string, number>();
  readonly messages = new Map<number, MessageRecord>();
  /** `${userId}:${exerciseId}` → attempts and outcome the user was shown. */
  readonly scores = new Map<string, ScoreRecord>();
  /** Writes the system acknowledged twice (e.g. a repeated Idempotency-Key that created again). */
  readonly doubled: string[] = [];
  /** Reference solutions the sandbox did not pass. */
  readonly wrongGrades: string[] = [];

  addPost(post: PostRecord) {
    this.posts.set(post.id, post);
    if (!post.deletable) this.votable.push(post);
  }

  recordSubmission(userId: number, exerciseId: number, submissionId: number, passed: boolean) {
    const key = `${userId}:${exerciseId}`;
    const score = this.scores.get(key) ?? { attempts: 0, correct: false, submissionIds: [] };
    score.attempts += 1;
    score.correct ||= passed;
    score.submissionIds.push(submissionId);
    this.scores.set(key, score);
  }

  /** Each author's karma as the votes imply: +1 per up, −1 per down, own votes not counted. */
  expectedKarma(): Map<number, number> {
    const karma = new Map<number, number>(this.users.map((user) => [user.id, 0]));
    for (const [key, direction] of this.votes) {
      const [voterId, postId] = key.split(':').map(Number);
      const post = this.posts.get(postId as number);
      if (!post || post.authorId === voterId) continue;
      karma.set(post.authorId, (karma.get(post.authorId) ?? 0) + direction);
    }
    return karma;
  }

  /** Every voted post's tally as the users' last votes imply. */
  expectedTallies(): Map<number, { upvotes: number; downvotes: number }> {
    const tallies = new Map<number, { upvotes: number; downvotes: number }>();
    for (const [key, direction] of this.votes) {
      const postId = Number(key.split(':')[1]);
      const tally = tallies.get(postId) ?? { upvotes: 0, downvotes: 0 };
      if (direction === 1) tally.upvotes += 1;
      if (direction === -1) tally.downvotes += 1;
      tallies.set(postId, tally);
    }
    return tallies;
  }
}
