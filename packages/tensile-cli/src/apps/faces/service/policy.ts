/**
 * The access policy: who a face is (the match threshold) and what happens then (the auto-decide
 * switch, how close a match must be to be allowed without a person looking, and unknown faces).
 */
import type { Outcome } from './database.node.js';

export interface Policy {
  /** A face at most this far from an enrolled person's embedding is that person. */
  readonly threshold: number;
  /** When false, every face waits in the review queue. */
  readonly autoDecide: boolean;
  /** With auto-decide, matches at most this far are allowed; matches farther (up to the threshold) are reviewed. */
  readonly allowDistance: number;
  /** With auto-decide, faces matching nobody are denied or queued for review. */
  readonly unknownFaces: 'deny' | 'review';
}

export function defaultPolicy(threshold: number): Policy {
  return { threshold, autoDecide: true, allowDistance: threshold, unknownFaces: 'review' };
}

/** Why a policy is invalid, or undefined when it is fine. */
export function policyProblem(policy: Policy): string | undefined {
  if (!(policy.threshold > 0 && policy.threshold <= 2)) return `threshold must be in (0, 2], got ${policy.threshold}`;
  if (!(policy.allowDistance > 0 && policy.allowDistance <= policy.threshold)) {
    return `allowDistance must be in (0, threshold = ${policy.threshold}], got ${policy.allowDistance}`;
  }
  return undefined;
}

/** The decision for a face whose nearest enrolled person is `distance` away (undefined: nobody enrolled). */
export function decide(policy: Policy, distance: number | undefined): { outcome: Outcome; auto: boolean } {
  if (!policy.autoDecide) return { outcome: 'review', auto: false };
  const known = distance !== undefined && distance <= policy.threshold;
  if (!known) return policy.unknownFaces === 'deny' ? { outcome: 'deny', auto: true } : { outcome: 'review', auto: false };
  if (distance <= policy.allowDistance) return { outcome: 'allow', auto: true };
  return { outcome: 'review', auto: false };
}
