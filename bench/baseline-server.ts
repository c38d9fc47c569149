import { createServer } from 'node:http';

/**
 * The baseline the collector's ingest rate is compared against: a bare node:http server that
 * only reads each NDJSON batch, splits it and parses every line, then answers 202.
 */
const server = createServer((req, res) => {
  const chunks: Buffer[] = [];
  req.on('data', (c: Buffer) => chunks.push(c));
  req.on('end', () => {
    const text = Buffer.concat(chunks).toString('utf8');
    let n = 0;
    for (const line of text.split('\n')) {
      if (line.length === 0) continue;
      JSON.parse(line);
      n++;
    }
    res.writeHead(202, { 'content-type': 'application/json' });
    res.end(JSON.stringify({ accepted: n }));
  });
});
server.listen(0, '127.0.0.1', () => {
  const addr = server.address();
  if (addr && typeof addr === 'object') process.stdout.write(`listening on http://127.0.0.1:${addr.port}\n`);
});
process.on('SIGTERM', () => server.close(() => process.exit(0)));
