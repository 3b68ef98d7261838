import { describe, expect, it } from 'vitest';
import { isSecretParam, redactUrl, redactUrlsIn, splitEndpoint, withEndpointQuery } from '../../src/core/url.ts';

describe('redactUrl', () => {
  it('replaces user:password@ by REDACTED', () => {
    expect(redactUrl('http://user:secret@host:8000/v1')).toBe('http://REDACTED@host:8000/v1');
  });

  it('replaces a bare user (an API key as user name) too', () => {
    expect(redactUrl('https://sk-abc@host/v1')).toBe('https://REDACTED@host/v1');
  });

  it('replaces the values of secret-looking query parameters, whatever their case, and keeps the others', () => {
    expect(redactUrl('http://h/v1?api-version=2024-02-01&API_KEY=K1&Token=K2&sig=K3&access_token=K4&x=1')).toBe(
      'http://h/v1?api-version=2024-02-01&API_KEY=REDACTED&Token=REDACTED&sig=REDACTED&access_token=REDACTED&x=1',
    );
  });

  it('treats key, password, secret, signature and names containing token or secret as secrets', () => {
    for (const name of ['key', 'password', 'secret', 'signature', 'client_secret', 'refresh_token', 'x-api-key', 'apiKey']) expect(isSecretParam(name)).toBe(true);
    for (const name of ['api-version', 'model', 'deployment', 'keyword_count']) expect(isSecretParam(name)).toBe(false);
  });

  it('redacts credentials in a mistyped endpoint without a scheme', () => {
    expect(redactUrl('user:pw@host:8000/v1')).toBe('REDACTED@host:8000/v1');
  });

  it('leaves a URL without secrets unchanged', () => {
    expect(redactUrl('http://localhost:8000/v1?api-version=1')).toBe('http://localhost:8000/v1?api-version=1');
  });

  it('leaves the punctuation after a URL in a sentence alone', () => {
    expect(redactUrlsIn('at http://h/v1?api_key=K, round 1 (see http://u:p@h/x).')).toBe('at http://h/v1?api_key=REDACTED, round 1 (see http://REDACTED@h/x).');
  });

  it('redacts every URL inside a message and nothing else', () => {
    expect(redactUrlsIn('fetch http://u:pw@127.0.0.1:9/v1?api_key=K failed ("https://a:b@c/d")')).toBe(
      'fetch http://REDACTED@127.0.0.1:9/v1?api_key=REDACTED failed ("https://REDACTED@c/d")',
    );
  });
});

describe('splitEndpoint', () => {
  it('keeps the query apart, so the client route goes before it', () => {
    const parts = splitEndpoint('http://h:1/v1?api-version=2024-02-01');
    expect(parts.base).toBe('http://h:1/v1');
    expect(withEndpointQuery(`${parts.base}/chat/completions`, parts.query)).toBe('http://h:1/v1/chat/completions?api-version=2024-02-01');
  });

  it('turns user:password@ into a Basic header and out of the URL', () => {
    const parts = splitEndpoint('http://us%40er:p%3Ass@h/v1');
    expect(parts.base).toBe('http://h/v1');
    expect(parts.basicAuth).toBe(`Basic ${Buffer.from('us@er:p:ss').toString('base64')}`);
  });
});
