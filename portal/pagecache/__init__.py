"""Public pages served from memory, never stale.

Every write to what a public page can show goes through the application's session, whose
flush hook (``version``) adds one to a single counter, ``data_version``, in the same
transaction. The counter is thus an exact version of the public data: a page rendered for
nobody signed in at version *n* is the same page for anybody else at version *n*, until a time
of day changes what it says (midnight in Chile, when a commitment becomes overdue; the start or
end of a session). ``store`` keeps such pages per process, keyed on the version, that window of
time, the language and the address, and answers from them before any other work.
"""
