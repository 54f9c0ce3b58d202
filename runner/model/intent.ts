/**
 * The intent format as TypeScript (mirrors runner/intent/intent.schema.json;
 * a test keeps the two in step). Everything optional here is filled with a
 * documented secure default by the translator, never by the loader: the
 * policies judge what the translation will actually do.
 */
import type { Quantity } from './quantity.ts';

export interface IntentSpec {
  id: string;
  type: string;
  description?: string;
  owner?: string;
  requirements: {
    availability?: string;
    performance?: { latency_p50?: string; latency_p95?: string; latency_p99?: string; throughput?: string; error_rate?: string };
    scalability: { min_instances: number; max_instances: number; target_cpu?: number };
  };
  constraints: { budget: string; region: string[] };
  placement?: { instance_type?: string; zones?: number; regions?: number };
  health_check?: {
    enabled?: boolean;
    path?: string;
    interval?: number;
    timeout?: number;
    healthy_threshold?: number;
    unhealthy_threshold?: number;
  };
  self_healing?: {
    enabled?: boolean;
    recovery_policy?: { strategy: string; max_attempts: number; timeout_seconds: number };
    triggers?: Array<{ condition: string; action: string }>;
  };
  security?: {
    protocol?: 'https' | 'http';
    tls_policy?: 'tls13' | 'tls12';
    authentication?: { method: 'oidc' | 'cognito' | 'none'; issuer?: string };
  };
}

export interface IntentFile {
  intent: IntentSpec;
}

/** Parsed quantities, mirroring the intent's structure under `intent` (only fields present). */
export interface QuantityTree {
  [key: string]: Quantity | QuantityTree;
}

export type YamlPath = ReadonlyArray<string | number>;

export interface IntentDoc {
  /** Repository-relative path, e.g. `intents/DEPLOY-WEB-001.yaml`. */
  file: string;
  id: string;
  type: string;
  intent: IntentSpec;
  quantities: QuantityTree;
  /** sha256 of the file's bytes (evidence in audit events). */
  digest: string;
  /**
   * 1-based position of a field path from the document root, e.g.
   * `['intent','constraints','budget']`. A path that is not written in the
   * file (a default applied by the translator) resolves to its nearest
   * written ancestor, so every finding still lands on a real line.
   */
  locate(path: YamlPath): { line: number; col: number };
}
