import { sealdeskOnGmToken } from './sealdesk-on-gm-token';

// IBM numbering: SealDesk computes e = SM3(Z‖M) on the host (CKM_IBM_SM2) and gets raw r‖s back.
sealdeskOnGmToken('ibm');
