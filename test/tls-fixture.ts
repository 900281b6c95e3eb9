import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/**
 * A throwaway self-signed P-256 certificate for 127.0.0.1/localhost, made with the openssl CLI.
 * @example const { cert, key, dir } = selfSignedCertificate(); // PEM strings
 */
export function selfSignedCertificate(): { cert: string; key: string; dir: string } {
  const dir = mkdtempSync(join(tmpdir(), 'gatehouse-tls-'));
  const pem = (name: string): string => join(dir, name);
  const args = ['req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-nodes'];
  args.push(
    '-keyout',
    pem('key.pem'),
    '-out',
    pem('cert.pem'),
    '-days',
    '1',
    '-subj',
    '/CN=localhost',
  );
  args.push('-addext', 'subjectAltName=IP:127.0.0.1,DNS:localhost');
  execFileSync('openssl', args, { stdio: 'ignore' });
  return {
    cert: readFileSync(pem('cert.pem'), 'utf8'),
    key: readFileSync(pem('key.pem'), 'utf8'),
    dir,
  };
}
