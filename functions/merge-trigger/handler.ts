import middy from '@middy/core';
import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import { logMetrics } from '@aws-lambda-powertools/metrics/middleware';
import type { S3Event, ScheduledEvent } from 'aws-lambda';
import * as z from 'zod';
import { readConfig } from '#lib/config.ts';
import { sharedDependencies } from '#lib/dependencies.ts';
import { lakePrefixes } from '#contracts/lake.ts';
import { sourceNames } from '#contracts/registry.ts';
import { logger, metrics } from '#lib/observability.ts';
import { type MergeTriggerDependencies, mergeLandingObjects } from './merge-landing-objects.ts';
import { createJobSubmitter, jobSubmitterSettings } from './submitters/index.ts';

const config = readConfig(z.intersection(jobSubmitterSettings, z.object({ LAKE_BUCKET: z.string().min(3) })));

const deps: MergeTriggerDependencies = {
  ...sharedDependencies({ landingPrefix: lakePrefixes.landing, lakeBucket: config.LAKE_BUCKET, sources: sourceNames() }),
  submitter: createJobSubmitter(config),
};

export const handler = middy<S3Event | ScheduledEvent>()
  .use(injectLambdaContext(logger))
  .use(logMetrics(metrics))
  .handler((event) => mergeLandingObjects(event, deps));
