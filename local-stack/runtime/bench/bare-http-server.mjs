// The API benchmark's baseline: a bare node:http server calling a handler module in-process.
// Plain JavaScript, so it runs on whichever Node.js runs the local runtime.
//   node bench/bare-http-server.mjs <handler.mjs>   (prints its URL)
import { createServer } from 'node:http';
import { pathToFileURL } from 'node:url';

const { handler } = await import(pathToFileURL(process.argv[2]).href);
const server = createServer((req, res) => {
  req.resume();
  req.on('end', async () => {
    const body = JSON.stringify(await handler({}, {}));
    res.writeHead(200, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) });
    res.end(body);
  });
});
server.listen(0, '127.0.0.1', () => process.stdout.write(`http://127.0.0.1:${server.address().port}/ping\n`));
process.on('SIGTERM', () => server.close(() => process.exit(0)));
