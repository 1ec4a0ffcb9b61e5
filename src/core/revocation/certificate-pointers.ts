/**
 * Where a certificate says its status is published: the OCSP responders of its Authority
 * Information Access (RFC 5280 §4.2.2.1, id-ad-ocsp), the CRLs of its CRL Distribution Points
 * (§4.2.1.13) and of its Freshest CRL extension (delta CRLs, §4.2.1.15); plus the extended key
 * usage a delegated OCSP responder must carry. Read with pkijs, which parses these extensions;
 * a certificate pkijs cannot read publishes nothing.
 */
import * as pkijs from 'pkijs';
import { toArrayBuffer } from '../asn1/der';

export const OID_AD_OCSP = '1.3.6.1.5.5.7.48.1';
export const OID_AD_CA_ISSUERS = '1.3.6.1.5.5.7.48.2';
export const OID_KP_OCSP_SIGNING = '1.3.6.1.5.5.7.3.9';
const OID_AIA = '1.3.6.1.5.5.7.1.1';
const OID_CDP = '2.5.29.31';
const OID_FRESHEST_CRL = '2.5.29.46';
const OID_EKU = '2.5.29.37';

export interface CertificatePointers {
  ocsp: string[];
  crl: string[];
  /** Delta CRLs (Freshest CRL). */
  deltaCrl: string[];
  caIssuers: string[];
}

function parsed(der: Uint8Array): pkijs.Certificate | undefined {
  try {
    return pkijs.Certificate.fromBER(toArrayBuffer(der));
  } catch {
    return undefined;
  }
}

/** URIs of distribution points (fullName, uniformResourceIdentifier = GeneralName [6]). */
function distributionUris(ext: pkijs.Extension | undefined): string[] {
  const points = (ext?.parsedValue as pkijs.CRLDistributionPoints | undefined)?.distributionPoints ?? [];
  const out: string[] = [];
  for (const p of points) {
    const names = Array.isArray(p.distributionPoint) ? p.distributionPoint : [];
    for (const n of names) if (n.type === 6 && typeof n.value === 'string') out.push(n.value);
  }
  return out;
}

export function certificatePointers(der: Uint8Array): CertificatePointers {
  const out: CertificatePointers = { ocsp: [], crl: [], deltaCrl: [], caIssuers: [] };
  const cert = parsed(der);
  for (const ext of cert?.extensions ?? []) {
    try {
      if (ext.extnID === OID_AIA) {
        for (const d of (ext.parsedValue as pkijs.InfoAccess).accessDescriptions ?? []) {
          if (d.accessLocation.type !== 6 || typeof d.accessLocation.value !== 'string') continue;
          if (d.accessMethod === OID_AD_OCSP) out.ocsp.push(d.accessLocation.value);
          else if (d.accessMethod === OID_AD_CA_ISSUERS) out.caIssuers.push(d.accessLocation.value);
        }
      } else if (ext.extnID === OID_CDP) out.crl.push(...distributionUris(ext));
      else if (ext.extnID === OID_FRESHEST_CRL) out.deltaCrl.push(...distributionUris(ext));
    } catch {
      // an extension pkijs did not parse points nowhere
    }
  }
  return out;
}

/** Whether the certificate's extendedKeyUsage lists id-kp-OCSPSigning (RFC 6960 §4.2.2.2). */
export function allowsOcspSigning(der: Uint8Array): boolean {
  const ext = parsed(der)?.extensions?.find((e) => e.extnID === OID_EKU);
  const purposes = (ext?.parsedValue as pkijs.ExtKeyUsage | undefined)?.keyPurposes ?? [];
  return purposes.includes(OID_KP_OCSP_SIGNING);
}
