"""Review and rectification (督查整改): the office's verdicts, the signed review file
(``.gkreview``) it sends back, the unit's side of it and the 整改台账.

- ``verdicts``: the office sets 通过 / 退回整改 / 待核实 per unit and measure, and reads
  each measure's state (a returned measure the unit changed since is 已整改待复核).
- ``reviewfile``: writing and strictly reading the signed review file.
- ``unit_side``: the unit imports a review (office key pinned like receipts) and reads
  which measures were returned and whether it has responded.
- ``ledger``: the unit's rectification ledger and the office's copy of every unit's.

The unit's response needs no new bundle table: the unit's audit log, which every bundle
already carries, records the verdict it received (``review_verdict``, naming the
verdict id) and every later change of the measure, and its ledger entries
(``rectify``). The office reads both from the imported audit log.
"""
