/**
 * Test certificates (@peculiar/x509): a CA, a server certificate for 127.0.0.1/localhost and
 * client certificates whose CN is the co-signer id, like the hub's internal CA issues them.
 */
import 'reflect-metadata';
import { webcrypto } from 'node:crypto';
import * as x509 from '@peculiar/x509';
import assert from 'node:assert/strict';

x509.cryptoProvider.set(webcrypto as unknown as Parameters<typeof x509.cryptoProvider.set>[0]);

const ALG = { name: 'ECDSA', namedCurve: 'P-256' } as const;
const SIGN = { name: 'ECDSA', hash: 'SHA-256' } as const;
const DAY = 86_400_000;
let serialN = 1;
const serial = () => (serialN++).toString(16).padStart(4, '0');

async function keyPair(): Promise<webcrypto.CryptoKeyPair> {
  return (await webcrypto.subtle.generateKey(ALG, true, [
    'sign',
    'verify',
  ])) as webcrypto.CryptoKeyPair;
}

async function pkcs8Pem(k: webcrypto.CryptoKey): Promise<string> {
  return x509.PemConverter.encode(await webcrypto.subtle.exportKey('pkcs8', k), 'PRIVATE KEY');
}

export interface TestCa {
  readonly certPem: string;
  issueServer(): Promise<{ certPem: string; keyPem: string }>;
  issueClient(cn: string): Promise<{ certPem: string; keyPem: string; pkcs8: Uint8Array }>;
  /** A client certificate for the key of a CSR (what the hub's CA does at pairing). */
  issueForCsr(csrPem: string, cn: string): Promise<string>;
}

export async function createTestCa(name = 'test-ca'): Promise<TestCa> {
  const keys = await keyPair();
  const now = Date.now();
  const ca = await x509.X509CertificateGenerator.createSelfSigned({
    serialNumber: serial(),
    name: `CN=${name}`,
    notBefore: new Date(now - DAY),
    notAfter: new Date(now + DAY),
    keys,
    signingAlgorithm: SIGN,
    extensions: [
      new x509.BasicConstraintsExtension(true, 0, true),
      new x509.KeyUsagesExtension(x509.KeyUsageFlags.keyCertSign, true),
    ],
  });
  const issue = async (subject: string, ext: x509.Extension[]) => {
    const k = await keyPair();
    const cert = await x509.X509CertificateGenerator.create({
      serialNumber: serial(),
      subject,
      issuer: ca.subject,
      notBefore: new Date(now - DAY),
      notAfter: new Date(now + DAY),
      publicKey: k.publicKey,
      signingKey: keys.privateKey,
      signingAlgorithm: SIGN,
      extensions: [new x509.BasicConstraintsExtension(false, undefined, true), ...ext],
    });
    const pkcs8 = new Uint8Array(await webcrypto.subtle.exportKey('pkcs8', k.privateKey));
    return { certPem: cert.toString('pem'), keyPem: await pkcs8Pem(k.privateKey), pkcs8 };
  };
  return {
    certPem: ca.toString('pem'),
    issueServer: () =>
      issue('CN=localhost', [
        new x509.ExtendedKeyUsageExtension([x509.ExtendedKeyUsage.serverAuth]),
        new x509.SubjectAlternativeNameExtension([
          { type: 'ip', value: '127.0.0.1' },
          { type: 'dns', value: 'localhost' },
        ]),
      ]),
    issueForCsr: async (csrPem, cn) => {
      const csr = new x509.Pkcs10CertificateRequest(csrPem);
      assert(await csr.verify(), 'CSR signature');
      const cert = await x509.X509CertificateGenerator.create({
        serialNumber: serial(),
        subject: `CN=${cn}`,
        issuer: ca.subject,
        notBefore: new Date(now - DAY),
        notAfter: new Date(now + DAY),
        publicKey: csr.publicKey,
        signingKey: keys.privateKey,
        signingAlgorithm: SIGN,
        extensions: [
          new x509.BasicConstraintsExtension(false, undefined, true),
          new x509.ExtendedKeyUsageExtension([x509.ExtendedKeyUsage.clientAuth]),
        ],
      });
      return cert.toString('pem');
    },
    issueClient: (cn) =>
      issue(`CN=${cn}`, [new x509.ExtendedKeyUsageExtension([x509.ExtendedKeyUsage.clientAuth])]),
  };
}
