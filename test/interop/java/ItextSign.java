/*
 * A partner signing with iText 5 (libitext5-java + BouncyCastle), the way iText's own examples do:
 * PdfStamper.createSignature in append mode, a new visible signature field on page 1, and
 * MakeSignature.signDetached (adbe.pkcs7.detached). Used by test/interop/countersign.test.ts, compiled
 * there with javac into a temp dir. Arguments: in.pdf out.pdf key.p12 (empty password) fieldName
 * [cades] — with "cades" the CMS is ETSI.CAdES.detached (CryptoStandard.CADES) instead.
 */
import com.itextpdf.text.Rectangle;
import com.itextpdf.text.pdf.*;
import com.itextpdf.text.pdf.security.*;
import java.io.*;
import java.security.*;
import java.security.cert.Certificate;
import org.bouncycastle.jce.provider.BouncyCastleProvider;

public class ItextSign {
  public static void main(String[] a) throws Exception {
    String in = a[0], out = a[1], p12 = a[2], field = a[3];
    Security.addProvider(new BouncyCastleProvider());
    KeyStore ks = KeyStore.getInstance("PKCS12");
    ks.load(new FileInputStream(p12), new char[0]);
    String alias = ks.aliases().nextElement();
    PrivateKey key = (PrivateKey) ks.getKey(alias, new char[0]);
    Certificate[] chain = ks.getCertificateChain(alias);
    PdfReader reader = new PdfReader(in);
    PdfStamper stamper = PdfStamper.createSignature(reader, new FileOutputStream(out), '\0', null, true);
    PdfSignatureAppearance ap = stamper.getSignatureAppearance();
    ap.setReason("countersign");
    ap.setVisibleSignature(new Rectangle(72, 72, 272, 132), 1, field);
    ExternalSignature es = new PrivateKeySignature(key, "SHA-256", "BC");
    ExternalDigest digest = new BouncyCastleDigest();
    MakeSignature.CryptoStandard standard = a.length > 4 && a[4].equals("cades") ? MakeSignature.CryptoStandard.CADES : MakeSignature.CryptoStandard.CMS;
    MakeSignature.signDetached(ap, digest, es, chain, null, null, null, 0, standard);
  }
}
