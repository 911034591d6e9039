"""Review and rectification (督查整改): verdicts, the unit's banner and ledger, review files."""
