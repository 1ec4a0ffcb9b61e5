/**
 * The entry point verify-pdf.ts and the GM profile call: change analysis by named rules lives in
 * ./changes (engine.ts and one module per rule family).
 */
export { analyseRevisions } from './changes/engine';
export { allowedChangesMessage, filledFields, isFormFill, modificationLevel, rulesUsed, type FormFillModification } from './changes/summary';
