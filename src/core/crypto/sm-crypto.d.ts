// Types for the part of sm-crypto 0.5.x SealDesk uses (the package ships none). gm-formats.md §8:
// messages as strings (UTF-8) or plain byte arrays, keys and signatures as hex.
declare module 'sm-crypto' {
  interface Sm2SignOptions {
    der?: boolean;
    hash?: boolean;
    publicKey?: string;
    userId?: string;
  }
  interface Sm2VerifyOptions {
    der?: boolean;
    hash?: boolean;
    userId?: string;
  }
  export const sm2: {
    generateKeyPairHex(): { publicKey: string; privateKey: string };
    getPublicKeyFromPrivateKey(privateKeyHex: string): string;
    doSignature(msg: string | number[], privateKeyHex: string, options?: Sm2SignOptions): string;
    doVerifySignature(msg: string | number[], signHex: string, publicKeyHex: string, options?: Sm2VerifyOptions): boolean;
    verifyPublicKey(publicKeyHex: string): boolean;
  };
  export function sm3(input: string | number[], options?: { key: string | number[] }): string;
}
