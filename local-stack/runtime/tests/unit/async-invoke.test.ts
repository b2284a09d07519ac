import { afterEach, describe, expect, it, vi } from 'vitest';
import { type InvocationRecord, invocationRecord, invokeAsync } from '../../async-invoke.ts';
import { assertUniqueConsumerGroups } from '../../bridges/kafka/kafka-bridge.ts';
import type { FunctionRegistry } from '../../function-registry.ts';
import { parseCfnYaml } from '../../template/cfn-yaml.ts';
import { buildModel } from '../../template/load-template.ts';
import type { AsyncInvokeConfig, KafkaSourceDefinition } from '../../template/model.ts';
import { TemplateError } from '../../template/template-error.ts';
import type { InvokeOutcome } from '../../worker/function-pool.ts';

const fn = (body = '') => `  Fn:\n    Type: AWS::Serverless::Function\n    Properties:\n      Runtime: nodejs22.x\n      Handler: index.handler\n      CodeUri: ./\n${body}`;
const asyncConfig = (body: string) => buildModel(parseCfnYaml(`Transform: AWS::Serverless-2016-10-31\nResources:\n  Dlq:\n    Type: AWS::S3::Bucket\n${fn(body)}`, 'inline.yaml'), '/tmp/inline.yaml', {}).functions.get('Fn')!.asyncInvoke;

/** A registry whose one function fails `failures` times, then succeeds; it counts the calls. */
function fakeRegistry(config: AsyncInvokeConfig, failures: number) {
  let calls = 0;
  const registry = {
    model: { templatePath: 'inline.yaml', functions: new Map([['Fn', { logicalId: 'Fn', functionName: 'Fn', asyncInvoke: config }]]) },
    functionArn: () => 'arn:aws:lambda:us-east-1:123456789012:function:Fn',
    invoke: async (): Promise<InvokeOutcome> => {
      calls++;
      return calls <= failures
        ? { ok: false, requestId: 'r', durationMs: 1, logTail: '', error: { errorType: 'BoomError', errorMessage: `call ${calls}`, trace: ['at handler'] } }
        : { ok: true, requestId: 'r', durationMs: 1, logTail: '', result: null };
    },
  };
  return { registry: registry as unknown as FunctionRegistry, calls: () => calls };
}

describe('EventInvokeConfig in the template model', () => {
  it('defaults to two retries, six hours and no destination, as Lambda does', () => {
    expect(asyncConfig('')).toEqual({ maximumRetryAttempts: 2, maximumEventAgeInSeconds: 21600 });
  });

  it('reads the retries, the maximum event age and the on-failure destination', () => {
    const config = asyncConfig('      EventInvokeConfig:\n        MaximumRetryAttempts: 1\n        MaximumEventAgeInSeconds: 120\n        DestinationConfig:\n          OnFailure:\n            Destination: !GetAtt Dlq.Arn\n');
    expect(config).toEqual({ maximumRetryAttempts: 1, maximumEventAgeInSeconds: 120, onFailureDestination: 'arn:aws:s3:::Dlq' });
  });

  it('rejects more than two retries, as Lambda does', () => {
    expect(() => asyncConfig('      EventInvokeConfig:\n        MaximumRetryAttempts: 3\n')).toThrow(TemplateError);
  });
});

describe('invokeAsync', () => {
  it('retries a failing function and reports success on the attempt that succeeds', async () => {
    const { registry, calls } = fakeRegistry({ maximumRetryAttempts: 2, maximumEventAgeInSeconds: 60 }, 2);
    const written: unknown[] = [];
    const result = await invokeAsync(registry, 'Fn', { n: 1 }, { baseDelayMs: 1, onNotice: () => undefined, writeFailure: async (...args) => void written.push(args) });
    expect(result).toMatchObject({ ok: true, attempts: 3 });
    expect(calls()).toBe(3);
    expect(written).toEqual([]);
  });

  it('writes one invocation record to the destination once the retries are exhausted', async () => {
    const { registry, calls } = fakeRegistry({ maximumRetryAttempts: 1, maximumEventAgeInSeconds: 60, onFailureDestination: 'arn:aws:s3:::Dlq' }, 5);
    const written: { destination: string; key: string; record: InvocationRecord }[] = [];
    const result = await invokeAsync(registry, 'Fn', { n: 1 }, { baseDelayMs: 1, requestId: 'req-1', onNotice: () => undefined, writeFailure: async (destination, key, record) => void written.push({ destination, key, record }) });
    expect(calls()).toBe(2);
    expect(result).toMatchObject({ ok: false, attempts: 2, deadLetter: { destination: 'arn:aws:s3:::Dlq' } });
    expect(written).toHaveLength(1);
    expect(written[0]!.key).toMatch(/^aws\/lambda\/async\/Fn\/\d{4}\/\d{2}\/\d{2}\//);
    expect(written[0]!.record).toMatchObject({
      requestContext: { requestId: 'req-1', condition: 'RetriesExhausted', approximateInvokeCount: 2, functionArn: 'arn:aws:lambda:us-east-1:123456789012:function:Fn:$LATEST' },
      requestPayload: { n: 1 },
      responsePayload: { errorType: 'BoomError', errorMessage: 'call 2' },
    });
  });

  describe('with an event older than MaximumEventAgeInSeconds', () => {
    afterEach(() => {
      vi.useRealTimers();
    });

    it('stops retrying and records the condition EventAgeExceeded', async () => {
      vi.useFakeTimers();
      const { registry, calls } = fakeRegistry({ maximumRetryAttempts: 2, maximumEventAgeInSeconds: 60, onFailureDestination: 'arn:aws:s3:::Dlq' }, 5);
      const written: InvocationRecord[] = [];
      // Retries after 40 s, then 80 s: the third attempt would start at 120 s, past the 60 s limit.
      const result = invokeAsync(registry, 'Fn', {}, { baseDelayMs: 40_000, onNotice: () => undefined, writeFailure: async (_destination, _key, record) => void written.push(record) });
      await vi.advanceTimersByTimeAsync(130_000);
      expect(await result).toMatchObject({ ok: false, attempts: 2 });
      expect(calls()).toBe(2);
      expect(written.map((record) => [record.requestContext.condition, record.requestContext.approximateInvokeCount])).toEqual([['EventAgeExceeded', 2]]);
    });
  });

  it('drops a failed event without a destination and writes nothing', async () => {
    const { registry } = fakeRegistry({ maximumRetryAttempts: 0, maximumEventAgeInSeconds: 60 }, 1);
    const notices: string[] = [];
    const result = await invokeAsync(registry, 'Fn', {}, { baseDelayMs: 1, onNotice: (text) => notices.push(text), writeFailure: async () => expect.fail('nothing to write') });
    expect(result).toEqual({ requestId: expect.any(String), attempts: 1, ok: false });
    expect(notices.join('\n')).toMatch(/event dropped: no on-failure destination/);
  });
});

describe('invocation records', () => {
  it('have AWS\'s documented shape', () => {
    const record = invocationRecord({
      requestId: 'req-1', functionArn: 'arn:aws:lambda:us-east-1:123456789012:function:Fn:$LATEST', condition: 'EventAgeExceeded', attempts: 1,
      event: { a: 1 }, error: { errorType: 'E', errorMessage: 'm', trace: ['t'] }, now: new Date('2026-01-02T03:04:05.678Z'),
    });
    expect(record).toEqual({
      version: '1.0',
      timestamp: '2026-01-02T03:04:05.678Z',
      requestContext: { requestId: 'req-1', functionArn: 'arn:aws:lambda:us-east-1:123456789012:function:Fn:$LATEST', condition: 'EventAgeExceeded', approximateInvokeCount: 1 },
      requestPayload: { a: 1 },
      responseContext: { statusCode: 200, executedVersion: '$LATEST', functionError: 'Unhandled' },
      responsePayload: { errorType: 'E', errorMessage: 'm', stackTrace: ['t'] },
    });
  });
});

describe('Kafka consumer groups', () => {
  const source = (id: string, consumerGroupId: string) => ({ id, consumerGroupId }) as KafkaSourceDefinition;

  it('accepts mappings with groups of their own', () => {
    expect(() => assertUniqueConsumerGroups([source('A', 'g-a'), source('B', 'g-b')])).not.toThrow();
  });

  it('rejects two mappings naming the same group, as AWS does, even for one function', () => {
    expect(() => assertUniqueConsumerGroups([source('A', 'shared'), source('B', 'shared')])).toThrow(/ConsumerGroupId shared is already used by A/);
  });
});
