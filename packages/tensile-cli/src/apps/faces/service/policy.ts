/**
 * The access policy: who a face is (the match threshold) and what happens then (the auto-decide
 * switch, how close a match must be to be allowed without a person looking, and unknown faces).
 * The allow distance is either fixed or follows the gallery's size: one-to-many identification meets
 * every enrolled embedding, so the more there are, the closer a match must be to keep strangers out
 * (the embedder's open-set rule, `open-set.ts`).
 */
import { allowDistanceFor, type OpenSetRule } from '../open-set.js';
import type { Outcome } from './database.node.js';

/** A fixed distance, or the embedder's calibrated one for the number of enrolled embeddings. */
export type AllowDistance = number | 'gallery-size';

export interface Policy {
  /** A face at most this far from an enrolled person's embedding is that person. */
  readonly threshold: number;
  /** When false, every face waits in the review queue. */
  readonly autoDecide: boolean;
  /** With auto-decide, matches at most this far are allowed; matches farther (up to the threshold) are reviewed. */
  readonly allowDistance: AllowDistance;
  /** With auto-decide, faces matching nobody are denied or queued for review. */
  readonly unknownFaces: 'deny' | 'review';
}

/** A policy with its allow distance worked out for the gallery at hand. */
export type DecidingPolicy = Omit<Policy, 'allowDistance'> & { readonly allowDistance: number };

/** The embedder's threshold; the allow distance by gallery size when the embedder has an open-set rule. */
export function defaultPolicy(threshold: number, openSet?: OpenSetRule): Policy {
  return { threshold, autoDecide: true, allowDistance: openSet ? 'gallery-size' : threshold, unknownFaces: 'review' };
}

/** Why a policy is invalid (for an embedder with or without an open-set rule), or undefined when it is fine. */
export function policyProblem(policy: Policy, openSet?: OpenSetRule): string | undefined {
  if (!(policy.threshold > 0 && policy.threshold <= 2)) return `threshold must be in (0, 2], got ${policy.threshold}`;
  if (policy.allowDistance === 'gallery-size') {
    return openSet ? undefined : `allowDistance 'gallery-size' needs an embedder calibrated for identification; give a distance`;
  }
  if (!(policy.allowDistance > 0 && policy.allowDistance <= policy.threshold)) {
    return `allowDistance must be in (0, threshold = ${policy.threshold}] or 'gallery-size', got ${policy.allowDistance}`;
  }
  return undefined;
}

/** The policy for a gallery of `embeddings` enrolled embeddings: a gallery-size allow distance never exceeds the threshold. */
export function decidingPolicy(policy: Policy, openSet: OpenSetRule | undefined, embeddings: number): DecidingPolicy {
  if (policy.allowDistance !== 'gallery-size') return { ...policy, allowDistance: policy.allowDistance };
  if (openSet === undefined) throw new Error('decidingPolicy: a gallery-size allow distance without an open-set rule (policyProblem refuses it)');
  return { ...policy, allowDistance: Math.min(policy.threshold, allowDistanceFor(openSet, embeddings)) };
}

/** The decision for a face whose nearest enrolled person is `distance` away (undefined: nobody enrolled). */
export function decide(policy: DecidingPolicy, distance: number | undefined): { outcome: Outcome; auto: boolean } {
  if (!policy.autoDecide) return { outcome: 'review', auto: false };
  const known = distance !== undefined && distance <= policy.threshold;
  if (!known) return policy.unknownFaces === 'deny' ? { outcome: 'deny', auto: true } : { outcome: 'review', auto: false };
  if (distance <= policy.allowDistance) return { outcome: 'allow', auto: true };
  return { outcome: 'review', auto: false };
}
