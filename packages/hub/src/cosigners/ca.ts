/**
 * The hub's internal certificate authority (issue 7 "Co-signer management"; the mTLS model of
 * seeds/003). It issues:
 *  - client certificates for co-signers, from a CSR whose key is P-256 or Ed25519 and whose
 *    self-signature verifies (proof of possession); the subject is the co-signer id;
 *  - the server certificate of the hub's mTLS listener.
 * The CA key is ECDSA P-256 (RFC 5480), kept as PKCS#8 in the data directory by the caller. The
 * CSR's subject is ignored: the hub names the certificate, never the requester.
 */
// @peculiar/x509 resolves its algorithms through tsyringe, which needs the Reflect metadata API.
import 'reflect-metadata';
import { createHash, randomBytes, webcrypto } from 'node:crypto';
import * as x509 from '@peculiar/x509';
import { HubError } from '../http/errors.ts';

type CryptoKey = webcrypto.CryptoKey;
type CryptoKeyPair = webcrypto.CryptoKeyPair;

x509.cryptoProvider.set(webcrypto as unknown as Parameters<typeof x509.cryptoProvider.set>[0]);

const CA_ALG = { name: 'ECDSA', namedCurve: 'P-256' } as const;
const SIGN_ALG = { name: 'ECDSA', hash: 'SHA-256' } as const;
const DAY_MS = 86_400_000;
const MAX_CSR_PEM = 8192;

export interface CaMaterial {
  readonly certificatePem: string;
  /** PKCS#8 PEM of the CA key. A secret: written 0600, never logged. */
  readonly privateKeyPem: string;
}

export interface IssuedCertificate {
  readonly certificatePem: string;
  /** sha256 hex of the DER: what the mTLS listener matches. */
  readonly fingerprint: string;
}

export interface InternalCa {
  readonly certificatePem: string;
  readonly issueClientCertificate: (input: {
    readonly csrPem: string;
    readonly cosignerId: string;
    readonly workspaceId: string;
    readonly now: number;
    readonly validDays?: number;
  }) => Promise<IssuedCertificate>;
  readonly issueServerCertificate: (input: {
    readonly hosts: readonly string[];
    readonly now: number;
  }) => Promise<{ certificatePem: string; privateKeyPem: string }>;
}

function serial(): string {
  const b = randomBytes(16);
  b[0] = b[0]! & 0x7f; // positive INTEGER
  return b.toString('hex');
}

function pem(label: string, der: ArrayBuffer): string {
  return x509.PemConverter.encode(der, label) + '\n';
}

export function fingerprintOf(certPemOrDer: string | Uint8Array): string {
  const der =
    typeof certPemOrDer === 'string'
      ? new Uint8Array(new x509.X509Certificate(certPemOrDer).rawData)
      : certPemOrDer;
  return createHash('sha256').update(der).digest('hex');
}

/** Creates a fresh CA (at `hub init`). */
export async function createCaMaterial(name: string, now: number): Promise<CaMaterial> {
  const keys = (await webcrypto.subtle.generateKey(CA_ALG, true, [
    'sign',
    'verify',
  ])) as CryptoKeyPair;
  const cert = await x509.X509CertificateGenerator.createSelfSigned({
    serialNumber: serial(),
    name: `CN=${name}`,
    notBefore: new Date(now - 60_000),
    notAfter: new Date(now + 3650 * DAY_MS),
    keys,
    signingAlgorithm: SIGN_ALG,
    extensions: [
      new x509.BasicConstraintsExtension(true, 0, true),
      new x509.KeyUsagesExtension(
        x509.KeyUsageFlags.keyCertSign | x509.KeyUsageFlags.cRLSign,
        true,
      ),
      await x509.SubjectKeyIdentifierExtension.create(keys.publicKey),
    ],
  });
  const pkcs8 = await webcrypto.subtle.exportKey('pkcs8', keys.privateKey);
  return { certificatePem: cert.toString('pem') + '\n', privateKeyPem: pem('PRIVATE KEY', pkcs8) };
}

async function importCaKey(privateKeyPem: string): Promise<CryptoKey> {
  const der = x509.PemConverter.decodeFirst(privateKeyPem);
  return (await webcrypto.subtle.importKey('pkcs8', der, CA_ALG, false, ['sign'])) as CryptoKey;
}

function parseCsr(csrPem: unknown): x509.Pkcs10CertificateRequest {
  if (typeof csrPem !== 'string' || csrPem.length > MAX_CSR_PEM)
    throw new HubError('csr_invalid', 'expected a PEM certificate request', 'csr');
  try {
    return new x509.Pkcs10CertificateRequest(csrPem);
  } catch {
    throw new HubError('csr_invalid', 'the certificate request does not parse', 'csr');
  }
}

export async function loadInternalCa(material: CaMaterial): Promise<InternalCa> {
  const caCert = new x509.X509Certificate(material.certificatePem);
  const caKey = await importCaKey(material.privateKeyPem);
  const aki = await x509.AuthorityKeyIdentifierExtension.create(caCert, false);

  return {
    certificatePem: material.certificatePem,

    async issueClientCertificate({ csrPem, cosignerId, workspaceId, now, validDays = 365 }) {
      const csr = parseCsr(csrPem);
      const alg = csr.publicKey.algorithm as { name: string; namedCurve?: string };
      const okKey = (alg.name === 'ECDSA' && alg.namedCurve === 'P-256') || alg.name === 'Ed25519';
      if (!okKey) throw new HubError('csr_invalid', 'the CSR key must be P-256 or Ed25519', 'csr');
      let valid = false;
      try {
        valid = await csr.verify();
      } catch {
        valid = false;
      }
      if (!valid) throw new HubError('csr_invalid', 'the CSR signature does not verify', 'csr');
      const cert = await x509.X509CertificateGenerator.create({
        serialNumber: serial(),
        subject: `CN=${cosignerId}, O=${workspaceId}, OU=quorate cosigner`,
        issuer: caCert.subject,
        notBefore: new Date(now - 60_000),
        notAfter: new Date(now + validDays * DAY_MS),
        publicKey: csr.publicKey,
        signingKey: caKey,
        signingAlgorithm: SIGN_ALG,
        extensions: [
          new x509.BasicConstraintsExtension(false, undefined, true),
          new x509.KeyUsagesExtension(x509.KeyUsageFlags.digitalSignature, true),
          new x509.ExtendedKeyUsageExtension([x509.ExtendedKeyUsage.clientAuth], false),
          aki,
        ],
      });
      return {
        certificatePem: cert.toString('pem') + '\n',
        fingerprint: fingerprintOf(new Uint8Array(cert.rawData)),
      };
    },

    async issueServerCertificate({ hosts, now }) {
      const keys = (await webcrypto.subtle.generateKey(CA_ALG, true, [
        'sign',
        'verify',
      ])) as CryptoKeyPair;
      const names = hosts.map((h) =>
        /^[0-9.]+$/.test(h) || h.includes(':')
          ? { type: 'ip' as const, value: h }
          : { type: 'dns' as const, value: h },
      );
      const cert = await x509.X509CertificateGenerator.create({
        serialNumber: serial(),
        subject: `CN=${hosts[0] ?? 'quorate-hub'}`,
        issuer: caCert.subject,
        notBefore: new Date(now - 60_000),
        notAfter: new Date(now + 90 * DAY_MS),
        publicKey: keys.publicKey,
        signingKey: caKey,
        signingAlgorithm: SIGN_ALG,
        extensions: [
          new x509.BasicConstraintsExtension(false, undefined, true),
          new x509.KeyUsagesExtension(x509.KeyUsageFlags.digitalSignature, true),
          new x509.ExtendedKeyUsageExtension([x509.ExtendedKeyUsage.serverAuth], false),
          new x509.SubjectAlternativeNameExtension(names, false),
          aki,
        ],
      });
      const pkcs8 = await webcrypto.subtle.exportKey('pkcs8', keys.privateKey);
      return {
        certificatePem: cert.toString('pem') + '\n',
        privateKeyPem: pem('PRIVATE KEY', pkcs8),
      };
    },
  };
}

/** For co-signers and tests: a CSR for a key pair (P-256 or Ed25519). */
export async function createCsr(
  keys: CryptoKeyPair,
  algorithm: 'P-256' | 'Ed25519',
): Promise<string> {
  const csr = await x509.Pkcs10CertificateRequestGenerator.create({
    name: 'CN=quorate-cosigner',
    keys,
    signingAlgorithm: algorithm === 'P-256' ? SIGN_ALG : { name: 'Ed25519' },
  });
  return csr.toString('pem') + '\n';
}
