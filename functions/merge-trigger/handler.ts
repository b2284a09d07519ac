import middy from '@middy/core';
import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import { logMetrics } from '@aws-lambda-powertools/metrics/middleware';
import type { S3Event } from 'aws-lambda';
import { readConfig } from '#lib/config.ts';
import { sharedDependencies } from '#lib/dependencies.ts';
import { lakePrefixes } from '#contracts/lake.ts';
import { logger, metrics } from '#lib/observability.ts';
import { type MergeTriggerDependencies, mergeLandingObjects } from './merge-landing-objects.ts';
import { createJobSubmitter, jobSubmitterSettings } from './submitters/index.ts';

const config = readConfig(jobSubmitterSettings);

const deps: MergeTriggerDependencies = {
  ...sharedDependencies({ landingPrefix: lakePrefixes.landing }),
  submitter: createJobSubmitter(config),
};

export const handler = middy<S3Event>()
  .use(injectLambdaContext(logger))
  .use(logMetrics(metrics))
  .handler((event) => mergeLandingObjects(event, deps));
