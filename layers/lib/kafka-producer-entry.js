// Bundles only: template.yaml aliases '@platformatic/kafka' to this file, so a function
// bundle carries the producer and not the consumer, admin and schema-registry code the
// package's single entry point pulls in. Same names as layers/lib/kafka.ts imports.
export { ProduceAcks } from '../../node_modules/@platformatic/kafka/dist/apis/enumerations.js';
export { Producer } from '../../node_modules/@platformatic/kafka/dist/clients/producer/producer.js';
export { stringSerializers } from '../../node_modules/@platformatic/kafka/dist/clients/serde.js';
