"""Every write to the disease course goes through here, one module per record:
status (Rec 59, Rec 60A), imaging (RECIST 1.1), labs (thyroglobulin), board (the
tumour board's list and its signed decisions). Each checks the actor's role at the
patient's site, validates the whole change before writing anything, and audits
every row it saves."""
