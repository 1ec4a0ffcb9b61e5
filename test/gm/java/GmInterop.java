import java.io.ByteArrayInputStream;
import java.nio.file.Files;
import java.nio.file.Paths;
import java.security.Security;
import java.security.Signature;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.util.Arrays;
import org.bouncycastle.asn1.ASN1BitString;
import org.bouncycastle.asn1.ASN1Encodable;
import org.bouncycastle.asn1.ASN1InputStream;
import org.bouncycastle.asn1.ASN1Integer;
import org.bouncycastle.asn1.ASN1ObjectIdentifier;
import org.bouncycastle.asn1.ASN1OctetString;
import org.bouncycastle.asn1.ASN1Primitive;
import org.bouncycastle.asn1.ASN1Sequence;
import org.bouncycastle.crypto.digests.SM3Digest;
import org.bouncycastle.jce.provider.BouncyCastleProvider;

/**
 * BouncyCastle (Debian's libbcprov-java) reading a SealDesk seal and stamp on its own: its ASN.1
 * parser takes the SESeal / SES_Signature apart (GB/T 38540 v4 field order), its SM3withSM2
 * signature (default ID 1234567812345678) checks the maker's signature over SES_SealInfo and the
 * signer's over TBS_Sign, its SM3 the data hash against the original.
 * Usage: java GmInterop seal.der stamp.der original.bin — prints one line per check, exit 0 when all pass.
 */
public class GmInterop {
  static X509Certificate cert(byte[] der) throws Exception {
    return (X509Certificate) CertificateFactory.getInstance("X.509", "BC").generateCertificate(new ByteArrayInputStream(der));
  }

  static boolean sm2(byte[] certDer, byte[] data, byte[] sig) throws Exception {
    Signature s = Signature.getInstance("SM3withSM2", "BC");
    s.initVerify(cert(certDer).getPublicKey());
    s.update(data);
    return s.verify(sig);
  }

  static ASN1Sequence seq(ASN1Encodable e) { return ASN1Sequence.getInstance(e); }

  static ASN1Primitive strict(byte[] der) throws Exception {
    try (ASN1InputStream in = new ASN1InputStream(der)) {
      ASN1Primitive p = in.readObject();
      if (in.readObject() != null) throw new IllegalArgumentException("trailing data");
      if (!Arrays.equals(p.getEncoded("DER"), der)) throw new IllegalArgumentException("not DER");
      return p;
    }
  }

  public static void main(String[] a) throws Exception {
    Security.addProvider(new BouncyCastleProvider());
    boolean ok = true;
    ASN1Sequence seal = seq(strict(Files.readAllBytes(Paths.get(a[0]))));
    ASN1Sequence info = seq(seal.getObjectAt(0));
    byte[] makerCert = ASN1OctetString.getInstance(seal.getObjectAt(1)).getOctets();
    String alg = ASN1ObjectIdentifier.getInstance(seal.getObjectAt(2)).getId();
    byte[] sealSig = ASN1BitString.getInstance(seal.getObjectAt(3)).getOctets();
    int version = ASN1Integer.getInstance(seq(info.getObjectAt(0)).getObjectAt(1)).intValueExact();
    boolean sealOk = "1.2.156.10197.1.501".equals(alg) && version == 4 && sm2(makerCert, info.getEncoded("DER"), sealSig);
    System.out.println((sealOk ? "OK" : "FAIL") + " seal maker signature (v" + version + ", " + cert(makerCert).getSubjectX500Principal().getName() + ")");
    ok &= sealOk;

    ASN1Sequence stamp = seq(strict(Files.readAllBytes(Paths.get(a[1]))));
    ASN1Sequence tbs = seq(stamp.getObjectAt(0));
    byte[] signerCert = ASN1OctetString.getInstance(stamp.getObjectAt(1)).getOctets();
    byte[] sig = ASN1BitString.getInstance(stamp.getObjectAt(3)).getOctets();
    boolean stampOk = sm2(signerCert, tbs.getEncoded("DER"), sig);
    System.out.println((stampOk ? "OK" : "FAIL") + " stamp signature over TBS_Sign");
    ok &= stampOk;

    boolean sameSeal = Arrays.equals(tbs.getObjectAt(1).toASN1Primitive().getEncoded("DER"), seal.getEncoded("DER"));
    System.out.println((sameSeal ? "OK" : "FAIL") + " the stamp carries this seal");
    ok &= sameSeal;

    ASN1Sequence certList = seq(seq(info.getObjectAt(2)).getObjectAt(3));
    boolean listed = false;
    for (ASN1Encodable c : certList) listed |= Arrays.equals(ASN1OctetString.getInstance(c).getOctets(), signerCert);
    System.out.println((listed ? "OK" : "FAIL") + " the signer is in the seal's certList");
    ok &= listed;

    byte[] original = Files.readAllBytes(Paths.get(a[2]));
    SM3Digest d = new SM3Digest();
    d.update(original, 0, original.length);
    byte[] h = new byte[32];
    d.doFinal(h, 0);
    boolean hashOk = Arrays.equals(h, ASN1BitString.getInstance(tbs.getObjectAt(3)).getOctets());
    System.out.println((hashOk ? "OK" : "FAIL") + " dataHash = SM3(original)");
    ok &= hashOk;
    System.exit(ok ? 0 : 1);
  }
}
