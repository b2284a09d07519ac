import { describe, expect, it } from 'vitest';
import { fixtureFile, fixtureTemplate, runCli } from '../support.ts';

const parse = (stdout: string) => JSON.parse(stdout.trim().split('\n').pop()!);

describe('lambda-runtime invoke', () => {
  const template = ['--template', fixtureTemplate('api'), '--env-vars', fixtureFile('api', 'env.json')];

  it('reads the event from stdin and gives the handler a Lambda context and environment', async () => {
    const result = await runCli(['invoke', 'EchoFunction', '-', ...template], '{"hello":"world"}');
    expect(result.code, result.stderr).toBe(0);
    const output = parse(result.stdout);
    expect(output.event).toEqual({ hello: 'world' });
    expect(output.context).toMatchObject({ functionName: 'EchoFunction', functionVersion: '$LATEST', memoryLimitInMB: '256', invokedFunctionArn: 'arn:aws:lambda:eu-west-1:123456789012:function:EchoFunction', logGroupName: '/aws/lambda/EchoFunction', callbackWaitsForEmptyEventLoop: true });
    expect(output.context.awsRequestId).toMatch(/^[0-9a-f-]{36}$/);
    expect(output.context.remainingMs).toBeGreaterThan(0);
    expect(output.env).toMatchObject({ GREETING: 'hola', ONLY_IN_TEMPLATE: 'from-template', NOT_DECLARED: null, AWS_LAMBDA_FUNCTION_NAME: 'EchoFunction', AWS_LAMBDA_FUNCTION_MEMORY_SIZE: '256', _HANDLER: 'echo.handler', AWS_REGION: 'eu-west-1' });
    expect(result.stderr).toContain('REPORT RequestId:');
  });

  it("reports the handler's error in AWS's shape with its type", async () => {
    const result = await runCli(['invoke', 'FailingFunction', ...template]);
    expect(result.code).toBe(1);
    expect(parse(result.stdout)).toMatchObject({ errorType: 'LedgerMismatchError', errorMessage: 'debits and credits differ' });
  });

  it('stops a function at its Timeout as Lambda does', async () => {
    const result = await runCli(['invoke', 'SlowFunction', ...template]);
    expect(result.code).toBe(1);
    expect(parse(result.stdout)).toMatchObject({ errorType: 'Sandbox.Timedout', errorMessage: expect.stringMatching(/Task timed out after 1\.00 seconds$/) });
    expect(result.stderr).toMatch(/Task timed out after 1\.00 seconds/);
  });

  it('names the template construct it cannot run', async () => {
    const result = await runCli(['invoke', 'ConsumeFunction', '--template', fixtureTemplate('pipeline'), '--parameter-overrides', 'Stage=qa']);
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(/Parameters\.Stage: "qa" is not one of the AllowedValues/);
  });
});
