"""Stage 1, data: the firm-year contract, business numbers, reading and writing tables,
validation (every problem at once, per cell) and the template an officer fills in.

Modules: ``contract`` (fields, Korean labels, units, ranges) · ``brn`` (사업자등록번호)
· ``io`` (readers and writers: CSV in UTF-8/CP949, XLSX, Parquet) · ``validate`` · ``template``.
"""
