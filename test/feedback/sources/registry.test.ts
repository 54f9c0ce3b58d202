import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { createSource, DEFAULT_SOURCES_CONFIG, METRIC_SOURCES, parseSourcesConfig } from '../../../runner/feedback/sources/registry.ts';
import { MAIN } from '../fixtures/repo.ts';

describe('metric source registry and configuration', () => {
  it('the committed metrics/sources.yaml selects the file source over the sample', () => {
    const cfg = parseSourcesConfig(readFileSync(join(MAIN, 'metrics/sources.yaml'), 'utf8'));
    expect(cfg).toMatchObject({ source: 'file', period: '7d', services: { 'DEPLOY-WEB-001': 'web-service-001' }, file: { path: 'metrics/sample/{intent_id}.csv' } });
    expect(Object.keys(METRIC_SOURCES)).toEqual(['file', 'prometheus', 'cloudwatch']);
    expect(createSource(cfg, { repoDir: MAIN }).id).toBe('file');
  });

  it('reports bad configuration at its line', () => {
    expect(() => parseSourcesConfig('source: datadog\nperiod: 7d\n', 'm.yaml')).toThrow(/m\.yaml:1:.*source must be one of file, prometheus, cloudwatch/);
    expect(() => parseSourcesConfig('source: file\nperiod: a week\n', 'm.yaml')).toThrow(/m\.yaml:2:.*period/);
    expect(() => parseSourcesConfig('prometheus:\n  url: http://x\n  queries:\n    nope: up\n', 'm.yaml')).toThrow(/m\.yaml:4:.*unknown query 'nope'/);
    expect(() => parseSourcesConfig('colour: blue\n', 'm.yaml')).toThrow(/unknown key 'colour'/);
  });

  it('cloudwatch needs a region (credentials come from the SDK chain when used), prometheus a URL', () => {
    const cw = { ...DEFAULT_SOURCES_CONFIG, source: 'cloudwatch' as const, cloudwatch: { region: 'us-west-2', resources: {} } };
    expect(() => createSource({ ...cw, cloudwatch: { region: '', resources: {} } }, { repoDir: MAIN })).toThrow(/cloudwatch\.region/);
    expect(createSource(cw, { repoDir: MAIN }).id).toBe('cloudwatch');
    expect(createSource(cw, { repoDir: MAIN, aws: { accessKeyId: 'a', secretAccessKey: 'b' } }).id).toBe('cloudwatch');
    expect(() => createSource({ ...DEFAULT_SOURCES_CONFIG, source: 'prometheus' }, { repoDir: MAIN })).toThrow(/prometheus\.url/);
  });
});
