import { describe, expect, it } from 'vitest';
import { INGEST_ENV, ingestEnvShape } from '../../containers/ingest/env.ts';
import { WEBHOOK_SECRET_PREFIX } from '../../core/webhooks/webhook-settings.ts';
import { AUTHORIZER_CACHE_SECONDS } from '../../functions/authorizer/cache-ttl.ts';
import { KEY_STORE_ACTIONS } from '../../infra/constructs/table-grants.ts';
import { ingestEnvironment } from './support/ingest-template.ts';
import { type CfnJson, resourcesOfType, synthesizedForFile } from './support/test-app.ts';

/**
 * How long a revoked or expired key keeps working on AWS is the authorizer's cache time (and the
 * streaming door's key cache): the same number the docs state. Revoking needs no new grant: the
 * service's roles still only read keys by hash, the CLI writes with the operator's credentials.
 */

// One synth with the streaming door too, cdk-nag on (an unacknowledged finding fails it).
const built = synthesizedForFile({ 'cutout:ingest': 'streaming' }, { nag: true });

describe('key revocation on AWS', () => {
  it('caches the authorizer for AUTHORIZER_CACHE_SECONDS (the delay docs/operations.md states)', () => {
    expect(AUTHORIZER_CACHE_SECONDS).toBe(300);
    const authorizers = resourcesOfType(built.serviceTemplate, 'AWS::ApiGateway::Authorizer');
    expect(authorizers).toHaveLength(1);
    expect(authorizers[0]?.[1].Properties.AuthorizerResultTtlInSeconds).toBe(
      AUTHORIZER_CACHE_SECONDS,
    );
  });

  it("gives the streaming door's key cache the same time", () => {
    const set = ingestEnvironment(built.serviceTemplate)[INGEST_ENV.keyCacheSeconds];
    const effective =
      set === undefined
        ? ingestEnvShape[INGEST_ENV.keyCacheSeconds].parse(undefined)
        : Number(set as string);
    expect(effective).toBe(AUTHORIZER_CACHE_SECONDS);
  });

  it('grants no role a keys-table action beyond reading a key by hash', () => {
    const keyStatements = resourcesOfType(built.serviceTemplate, 'AWS::IAM::Policy')
      .flatMap(([, p]) => p.Properties.PolicyDocument.Statement as CfnJson[])
      .filter((s) => /keys/i.test(JSON.stringify(s.Resource)))
      .filter((s) => [s.Action].flat().some((a) => String(a).startsWith('dynamodb:')));
    // The webhook delivery's own: the signing secrets' items only (their partition-key prefix),
    // read and made on first use; never a key item, never a list of keys.
    const secrets = keyStatements.filter((s) =>
      JSON.stringify(s.Condition ?? {}).includes('LeadingKeys'),
    );
    expect(secrets).toHaveLength(1);
    expect([secrets[0]?.Action].flat().sort()).toEqual(['dynamodb:GetItem', 'dynamodb:PutItem']);
    expect(secrets[0]?.Condition).toEqual({
      'ForAllValues:StringLike': { 'dynamodb:LeadingKeys': [`${WEBHOOK_SECRET_PREFIX}*`] },
    });
    const readers = keyStatements.filter((s) => !secrets.includes(s));
    // The authorizer's and the streaming door's.
    expect(readers.length).toBeGreaterThanOrEqual(2);
    const actions = new Set(readers.flatMap((s) => [s.Action].flat() as string[]));
    expect([...actions]).toEqual([...KEY_STORE_ACTIONS.findByHash]);
    expect(KEY_STORE_ACTIONS.revoke).toContain('dynamodb:UpdateItem');
  });

  it('passes cdk-nag with every finding acknowledged', () => {
    const findings = built.summary.nagFindings;
    expect(findings).toBeDefined();
    expect(findings?.filter((f) => (f.reason ?? '').length < 20)).toEqual([]);
  });
});
