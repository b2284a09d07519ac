// The Lambda environment the handlers expect at module load, for unit tests.
process.env.AWS_REGION ??= 'us-east-1';
process.env.POWERTOOLS_SERVICE_NAME ??= 'unit-test';
process.env.POWERTOOLS_DEV ??= 'true';
process.env.POWERTOOLS_LOG_LEVEL ??= 'SILENT';
process.env.POWERTOOLS_METRICS_NAMESPACE ??= 'ledgerflow';
process.env.KAFKA_BROKERS ??= '127.0.0.1:1';
process.env.LAKE_BUCKET ??= 'lake';
process.env.LOCAL_CARD_TOKEN_KEY ??= 'unit-test-card-token-key-0123456789';
process.env.JOB_SUBMITTER ??= 'local';
process.env.JOB_SERVICE_URL ??= 'http://127.0.0.1:1';
process.env.JOB_SERVICE_TOKEN ??= 'unit-test-job-service-token';
process.env.STREAM_ENGINE ??= 'kafka';
process.env.KINESIS_STREAM_PREFIX ??= 'ledgerflow-local-';
