"""Privacy-preserving record linkage across scripts (no Django import).

Each party encodes its records into keyed Bloom filters built from the names engine's
canonical keys (given-name ids that unify Олександр / Александр / Sasha, surname keys across
scripts and gender forms, the father's ids behind a patronymic, birth date with its
precision, gazetteer places), under a secret shared by the two parties only. A mediator
compares the encodings without the secret and returns candidate pairs of pseudonyms with
Dice scores; each party then reveals chosen details for candidate pairs only.

>>> from reunite.pprl import Secret, encode, link_encodings   # doctest: +SKIP
>>> secret = Secret.generate()                                  # doctest: +SKIP
>>> a, b = encode(enquiries, secret), encode(records, secret)   # doctest: +SKIP
>>> pairs = link_encodings(a, b)                                # doctest: +SKIP

See docs/pprl.md for the encoding, the protocol and the security analysis.
"""

from reunite.pprl._encode import Encoding, encode, encode_tokens
from reunite.pprl._files import (
    list_digest,
    read_encoding,
    read_id_map,
    read_pairs,
    write_encoding,
    write_id_map,
    write_json,
)
from reunite.pprl._link import (
    DEFAULT_MARGIN,
    DEFAULT_THRESHOLD,
    DEFAULT_TOP_K,
    Pair,
    check_compatible,
    greedy_one_to_one,
    link_encodings,
    select_pairs,
)
from reunite.pprl._mediator import (
    DEFAULT_MAX_LINKS_PER_DAY,
    DEFAULT_REPEAT_WINDOW_DAYS,
    LinkSummary,
    Mediator,
)
from reunite.pprl._reveal import (
    DEFAULT_REVEAL,
    REVEALABLE,
    check_disclosure,
    make_disclosure,
    review_rows,
)
from reunite.pprl._schema import (
    DEFAULT_FIELDS,
    DEFAULT_SCHEMA,
    SCHEMA_VERSION,
    EncodingSchema,
    FieldSpec,
    Hardening,
)
from reunite.pprl._secret import MIN_SECRET_BYTES, Secret
from reunite.pprl._tokens import TokenBuilder
from reunite.pprl.exceptions import (
    DisclosureError,
    EncodingFileError,
    IncompatibleEncodingsError,
    PPRLError,
    RefusedError,
    SecretError,
)

__all__ = [
    "DEFAULT_FIELDS",
    "DEFAULT_MARGIN",
    "DEFAULT_MAX_LINKS_PER_DAY",
    "DEFAULT_REPEAT_WINDOW_DAYS",
    "DEFAULT_REVEAL",
    "DEFAULT_SCHEMA",
    "DEFAULT_THRESHOLD",
    "DEFAULT_TOP_K",
    "MIN_SECRET_BYTES",
    "REVEALABLE",
    "SCHEMA_VERSION",
    "DisclosureError",
    "Encoding",
    "EncodingFileError",
    "EncodingSchema",
    "FieldSpec",
    "Hardening",
    "IncompatibleEncodingsError",
    "LinkSummary",
    "Mediator",
    "PPRLError",
    "Pair",
    "RefusedError",
    "Secret",
    "SecretError",
    "TokenBuilder",
    "check_compatible",
    "check_disclosure",
    "encode",
    "encode_tokens",
    "greedy_one_to_one",
    "link_encodings",
    "list_digest",
    "make_disclosure",
    "read_encoding",
    "read_id_map",
    "read_pairs",
    "review_rows",
    "select_pairs",
    "write_encoding",
    "write_id_map",
    "write_json",
]
