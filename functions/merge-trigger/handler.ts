import middy from '@middy/core';
import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import type { S3Event } from 'aws-lambda';
import { findContract } from '#contracts/registry.ts';
import { readConfig } from '#lib/config.ts';
import { lakePrefixes } from '#lib/lake-layout.ts';
import { logger } from '#lib/observability.ts';
import { createJobSubmitter, jobSubmitterSettings } from './submitters/index.ts';
import { mergeLandingObjects } from './merge-landing-objects.ts';

const config = readConfig(jobSubmitterSettings);
const submitter = createJobSubmitter(config);

export const handler = middy<S3Event>()
  .use(injectLambdaContext(logger))
  .handler(async (event) => {
    const result = await mergeLandingObjects(event, submitter, {
      landingPrefix: lakePrefixes.landing,
      isKnownSource: (source) => findContract(source) !== undefined,
    });
    logger.info('merge jobs submitted', { submitted: result.submitted, ignored: result.ignored.length });
    return result;
  });
