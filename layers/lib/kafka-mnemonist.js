// Bundles only: template.yaml aliases 'mnemonist' to this file. The Kafka client imports
// only LRUCache (its partitioner's cache), but the package's ESM entry re-exports every
// structure from CommonJS modules, which esbuild cannot tree-shake (heaps, vectors,
// suffix arrays, about 10 KB). Same name as @platformatic/kafka imports.
export { default as LRUCache } from '../../node_modules/mnemonist/lru-cache.js';
