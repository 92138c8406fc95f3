// The HTTP side of the vLLM stand-in: vLLM's routes in front of a real llama-server (SOURCES.md: api_server.py,
// AuthenticationMiddleware, the /metrics names). Only /v1/* asks for the key, as vLLM's --api-key does.
import http from 'node:http';

const JSON_TYPE = { 'content-type': 'application/json' };

/** Parses Prometheus text into name → [{labels, value}]. */
function promSamples(text) {
  const out = new Map();
  for (const line of text.split('\n')) {
    const m = /^([A-Za-z_:][\w:]*)(\{[^}]*\})?\s+(\S+)/.exec(line);
    if (!m) continue;
    const v = Number(m[3]);
    if (!Number.isFinite(v)) continue;
    out.set(m[1], (out.get(m[1]) ?? 0) + v);
  }
  return out;
}

function fmt(v) {
  // prometheus_client prints floats with a decimal point (0.0, 12.0).
  return Number.isInteger(v) ? `${v}.0` : String(v);
}

/**
 * vLLM's Prometheus names (V1 engine) from llama-server's own /metrics and /slots:
 * running = requests_processing, waiting = requests_deferred, prompt/generation token counters, and the KV usage as
 * the tokens held by busy slots over the total context.
 */
export function vllmMetricsText(llamaMetrics, slots, served, requests) {
  const s = promSamples(llamaMetrics);
  const get = (n) => s.get(`llamacpp:${n}`) ?? 0;
  let used = 0;
  let total = 0;
  let decoding = 0;
  for (const slot of Array.isArray(slots) ? slots : []) {
    total += Number(slot.n_ctx) || 0;
    if (slot.is_processing) {
      const nd = Array.isArray(slot.next_token) ? Number(slot.next_token[0]?.n_decoded) || 0 : 0;
      used += (Number(slot.n_prompt_tokens) || 0) + nd;
      decoding += nd;
    }
  }
  const kv = total > 0 ? Math.min(1, used / total) : 0;
  const labels = `{engine="0",model_name="${served.replace(/["\\]/g, '\\$&')}"}`;
  const promptSec = get('prompt_seconds_total');
  const lines = [
    [
      'vllm:num_requests_running',
      'gauge',
      'Number of requests in model execution batches.',
      get('requests_processing'),
    ],
    ['vllm:num_requests_waiting', 'gauge', 'Number of requests waiting to be processed.', get('requests_deferred')],
    ['vllm:kv_cache_usage_perc', 'gauge', 'KV-cache usage. 1 means 100 percent usage.', kv],
  ];
  const counters = [
    ['vllm:prompt_tokens', 'Number of prefill tokens processed.', get('prompt_tokens_total')],
    // vLLM counts each engine step's tokens as they are made; llama-server's counter only when a reply ends, so the
    // tokens of the replies in progress (their slots' n_decoded) are added.
    ['vllm:generation_tokens', 'Number of generation tokens processed.', get('tokens_predicted_total') + decoding],
  ];
  let out = '';
  for (const [name, type, help, v] of lines) {
    out += `# HELP ${name} ${help}\n# TYPE ${name} ${type}\n${name}${labels} ${fmt(v)}\n`;
  }
  for (const [name, help, v] of counters) {
    out += `# HELP ${name}_total ${help}\n# TYPE ${name}_total counter\n${name}_total${labels} ${fmt(v)}\n`;
  }
  // Time to first token: llama-server keeps only the prompt-time total, so the histogram has one +Inf bucket
  // (count = chat/completion requests proxied, sum = llama-server's prompt seconds).
  out +=
    '# HELP vllm:time_to_first_token_seconds Histogram of time to first token in seconds.\n' +
    '# TYPE vllm:time_to_first_token_seconds histogram\n' +
    `vllm:time_to_first_token_seconds_bucket{engine="0",le="+Inf",model_name="${served}"} ${fmt(requests)}\n` +
    `vllm:time_to_first_token_seconds_count${labels} ${fmt(requests)}\n` +
    `vllm:time_to_first_token_seconds_sum${labels} ${fmt(promptSec)}\n`;
  return out;
}

function readBody(req) {
  return new Promise((resolve, reject) => {
    const chunks = [];
    req.on('data', (c) => chunks.push(c));
    req.on('end', () => resolve(Buffer.concat(chunks)));
    req.on('error', reject);
  });
}

function upstreamFetch(upstream, path, init = {}) {
  return fetch(`${upstream.url}${path}`, {
    ...init,
    headers: { ...(init.headers ?? {}), authorization: `Bearer ${upstream.key}` },
  });
}

/**
 * Starts listening on host:port. `cfg`: { host, port, keys: string[] (empty: no auth), served, model, maxLen,
 * upstream: { url, key }, version }. Resolves with the server once listening; rejects with the listen error.
 */
export function startServer(cfg) {
  const created = Math.floor(Date.now() / 1000);
  let requests = 0;
  const server = http.createServer(async (req, res) => {
    const url = new URL(req.url ?? '/', 'http://x');
    const p = url.pathname;
    try {
      if (p.startsWith('/v1/') || p === '/v1') {
        const auth = req.headers.authorization ?? '';
        if (cfg.keys.length > 0 && !cfg.keys.some((k) => auth === `Bearer ${k}`)) {
          res.writeHead(401, JSON_TYPE).end(JSON.stringify({ error: 'Unauthorized' }));
          return;
        }
      }
      if (req.method === 'GET' && p === '/health') {
        res.writeHead(200).end();
        return;
      }
      if (req.method === 'GET' && p === '/version') {
        res.writeHead(200, JSON_TYPE).end(JSON.stringify({ version: cfg.version }));
        return;
      }
      if (req.method === 'GET' && p === '/metrics') {
        const [m, s] = await Promise.all([
          upstreamFetch(cfg.upstream, '/metrics').then((r) => r.text()),
          upstreamFetch(cfg.upstream, '/slots').then((r) => (r.ok ? r.json() : [])),
        ]);
        const text = vllmMetricsText(m, s, cfg.served, requests);
        res.writeHead(200, { 'content-type': 'text/plain; version=0.0.4; charset=utf-8' }).end(text);
        return;
      }
      if (req.method === 'GET' && p === '/v1/models') {
        const data = [
          {
            id: cfg.served,
            object: 'model',
            created,
            owned_by: 'vllm',
            root: cfg.model,
            parent: null,
            max_model_len: cfg.maxLen,
            permission: [],
          },
        ];
        res.writeHead(200, JSON_TYPE).end(JSON.stringify({ object: 'list', data }));
        return;
      }
      if (req.method === 'POST' && (p === '/v1/chat/completions' || p === '/v1/completions')) {
        const body = await readBody(req);
        let parsed;
        try {
          parsed = JSON.parse(body.toString('utf8'));
        } catch {
          res.writeHead(400, JSON_TYPE).end(
            JSON.stringify({
              object: 'error',
              message: 'Invalid JSON',
              type: 'BadRequestError',
              param: null,
              code: 400,
            }),
          );
          return;
        }
        if (parsed.model !== undefined && parsed.model !== cfg.served) {
          const message = `The model \`${parsed.model}\` does not exist.`;
          res
            .writeHead(404, JSON_TYPE)
            .end(JSON.stringify({ object: 'error', message, type: 'NotFoundError', param: null, code: 404 }));
          return;
        }
        requests++;
        const ac = new AbortController();
        res.on('close', () => ac.abort());
        const up = await upstreamFetch(cfg.upstream, p, {
          method: 'POST',
          body,
          headers: { 'content-type': 'application/json' },
          signal: ac.signal,
        });
        const headers = { 'content-type': up.headers.get('content-type') ?? 'application/json' };
        res.writeHead(up.status, headers);
        if (up.body) for await (const chunk of up.body) res.write(chunk);
        res.end();
        return;
      }
      res.writeHead(404, JSON_TYPE).end(JSON.stringify({ detail: 'Not Found' }));
    } catch (e) {
      if (!res.headersSent) res.writeHead(500, JSON_TYPE).end(JSON.stringify({ detail: String(e?.message ?? e) }));
      else res.destroy();
    }
  });
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(cfg.port, cfg.host, () => {
      server.off('error', reject);
      resolve(server);
    });
  });
}
