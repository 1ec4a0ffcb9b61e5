import { sealdeskOnGmToken } from './sealdesk-on-gm-token';

// Sansec numbering: the token computes Z and SM3 (CKM_SM3_SM2_APPID1_DER) and returns DER.
sealdeskOnGmToken('sansec');
