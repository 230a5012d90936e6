"""PDF kinship report (fpdf2), with a Unicode font so Cyrillic names print correctly.

Font: PT Sans (ParaType, SIL Open Font License 1.1), shipped in the PyPI package
``fontpkg-pt-sans``. It was designed for the languages of Russia and covers Ukrainian
(ґ, є, і, ї) and Russian fully, plus Latin. It has no Greek glyphs, so the report writes
"theta" and "kappa" rather than θ and κ.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from datetime import UTC, datetime
from pathlib import Path

from reunite.kinship._result import VERBAL_SCALE_SOURCE, KinshipResult
from reunite.kinship.exceptions import KinshipError

_FONT = "PTSans"


def _font_dir() -> Path:
    try:
        import fontpkg_pt_sans
    except ImportError as exc:  # pragma: no cover - dependency declared in pyproject
        raise KinshipError("PDF reports need the 'fontpkg-pt-sans' package") from exc
    return Path(fontpkg_pt_sans.ROOT) / "files"


def format_lr(x: float | None) -> str:
    """Human-readable LR: plain below 10 000, otherwise mantissa × 10^exponent."""
    if x is None:
        return "not used"
    if x == 0:
        return "0 (exclusion)"
    if math.isinf(x):
        return "infinite"
    if 0.001 <= x < 10_000:
        return f"{x:.4g}"
    exp = math.floor(math.log10(x))
    return f"{x / 10**exp:.3g} × 10^{exp}"


def format_posterior(result: KinshipResult, prior: float) -> str:
    """Posterior probability, written as 1 − ε when it is too close to 1 to print plainly."""
    post = result.posterior(prior)
    if result.combined_lr > 0 and math.isfinite(result.combined_lr) and post > 0.9999:
        rest = 1.0 / (1.0 + result.combined_lr * prior / (1.0 - prior))
        return f"1 − {rest:.3g}"
    return f"{post:.6f}"


def _plain(text: str) -> str:
    return text.replace("θ", "theta").replace("κ", "kappa").replace("≥", ">=")


def report_pdf(
    result: KinshipResult,
    *,
    title: str,
    subject_labels: Mapping[str, str] | None = None,
    priors: tuple[float, ...] = (0.5,),
    generated_at: datetime | None = None,
    case_reference: str | None = None,
) -> bytes:
    """Render ``result`` as a PDF and return its bytes.

    ``subject_labels`` maps a person id or a role (``a``, ``b``, ``child``, ``mother`` …)
    to a display label such as a name in Cyrillic. ``priors`` lists the prior probabilities
    for which the posterior is printed. The report states the frequency database (and
    flags it loudly if synthetic), θ, the mutation model, the minimum frequency and the
    verbal scale used.
    """
    from fpdf import FPDF
    from fpdf.fonts import FontFace

    labels = dict(subject_labels or {})
    when = (generated_at or datetime.now(UTC)).strftime("%Y-%m-%d %H:%M UTC")
    fonts = _font_dir()

    class _Doc(FPDF):
        def footer(self) -> None:
            self.set_y(-12)
            self.set_font(_FONT, size=8)
            self.set_text_color(110)
            self.cell(0, 8, f"{title} · generated {when} · page {self.page_no()}/{{nb}}",
                      align="C")

    pdf = _Doc(format="A4")
    pdf.set_title(title)
    pdf.set_creator("Reunite kinship engine")
    pdf.add_font(_FONT, "", str(fonts / "PT_Sans-Web-Regular.ttf"))
    pdf.add_font(_FONT, "B", str(fonts / "PT_Sans-Web-Bold.ttf"))
    pdf.add_font(_FONT, "I", str(fonts / "PT_Sans-Web-Italic.ttf"))
    pdf.set_auto_page_break(True, margin=16)
    pdf.add_page()
    w = pdf.epw

    pdf.set_font(_FONT, "B", 16)
    pdf.multi_cell(w, 8, title, new_x="LMARGIN", new_y="NEXT")
    pdf.set_font(_FONT, "", 10)
    pdf.multi_cell(w, 5, f"DNA kinship report · {when}"
                   + (f" · case {case_reference}" if case_reference else ""),
                   new_x="LMARGIN", new_y="NEXT")
    pdf.ln(2)

    a = result.assumptions
    if a.get("frequency_database_synthetic"):
        pdf.set_fill_color(255, 225, 225)
        pdf.set_text_color(150, 0, 0)
        pdf.set_font(_FONT, "B", 11)
        pdf.multi_cell(w, 6, "SYNTHETIC FREQUENCY DATABASE — demonstration only. These allele "
                       "frequencies are made up; this report must not be used for any real "
                       "decision.", fill=True, border=1, new_x="LMARGIN", new_y="NEXT")
        pdf.set_text_color(0)
        pdf.set_fill_color(255)
        pdf.ln(2)

    def heading(text: str) -> None:
        pdf.ln(2)
        pdf.set_font(_FONT, "B", 12)
        pdf.cell(w, 7, text, new_x="LMARGIN", new_y="NEXT")
        pdf.set_font(_FONT, "", 10)

    def para(text: str, style: str = "") -> None:
        pdf.set_font(_FONT, style, 10)
        pdf.multi_cell(w, 5, _plain(text), new_x="LMARGIN", new_y="NEXT")

    heading("People tested")
    with pdf.table(col_widths=(30, 40, 90), first_row_as_headings=True,
                   headings_style=FontFace(emphasis="BOLD")) as table:
        table.row(["Role", "Sample ID", "Name / label"])
        for role, pid in result.subjects.items():
            table.row([role.replace("_", " "), pid, labels.get(pid, labels.get(role, ""))])

    heading("Propositions")
    para(f"H1: {result.hypothesis}.")
    para(f"H2: {result.alternative}.")

    family = a.get("pedigree")
    if isinstance(family, list) and family:
        heading("Pedigree")
        missing = result.subjects.get("missing")
        typed = {v for k, v in result.subjects.items() if k.startswith("reference")}
        candidate = result.subjects.get("candidate")
        para(f"H1 places {candidate} at the position of {missing} in this family; H2 keeps "
             f"{missing} untyped and takes {candidate} as unrelated to everyone in it. "
             "Typed members are marked [typed].")
        for pid, father, mother, sex in family:
            mark = " [typed]" if pid in typed else (" [missing]" if pid == missing else "")
            who = "man" if sex == "M" else "woman"
            parents = (f"child of {father} and {mother}" if father
                       else "founder (parents not in the pedigree)")
            para(f"• {pid}{mark}: {who}, {parents}")

    heading("Result")
    para(f"Combined likelihood ratio (H1 against H2): {format_lr(result.combined_lr)}"
         + (f"  (log10 = {result.log10_lr:.2f})" if result.log10_lr is not None else ""), "B")
    para(f"Loci used: {result.loci_used} of {len(result.loci)} listed.")
    para(result.verbal)
    if result.inconsistent_loci:
        para("Loci inconsistent with H1: " + ", ".join(result.inconsistent_loci))
    for prior in priors:
        para(f"Posterior probability of H1 for a prior of {prior:g}: "
             f"{format_posterior(result, prior)}")

    heading("Per-locus results")
    roles = list(result.loci[0].genotypes) if result.loci else []
    pdf.set_font(_FONT, "", 9)
    col = min(22.0, (w - 24 - 24 - 30) / max(1, len(roles)))  # many references: narrower
    widths = (24, *([col] * len(roles)), 24, w - 24 - col * len(roles) - 24)
    with pdf.table(col_widths=widths, first_row_as_headings=True,
                   headings_style=FontFace(emphasis="BOLD"), line_height=4.5) as table:
        table.row(["Locus", *[r.replace("_", " ") for r in roles], "LR", "Note"])
        for row in result.loci:
            table.row([row.locus, *[row.genotypes[r] for r in roles], format_lr(row.lr),
                       _plain(row.note)])

    heading("Assumptions")
    mut = a.get("mutation")
    if isinstance(mut, dict):
        rates = mut.get("rates", mut.get("rate"))
        mut_text = f"stepwise, rate {rates}, step ratio {mut.get('range')}"
    else:
        mut_text = "none (an inconsistent parent–child locus excludes)"
    kappa = a.get("kappa")
    items = [
        ("Frequency database", str(a.get("frequency_database"))
         + (" — SYNTHETIC" if a.get("frequency_database_synthetic") else "")),
        ("theta (F_ST)", f"{a.get('theta')}"
         + (f" — {a.get('theta_correction')}" if a.get("theta_correction") else "")),
        ("Mutation model", mut_text),
        ("Minimum allele frequency", f"{a.get('min_frequency'):g}"),
        ("IBD coefficients (kappa0, kappa1, kappa2)",
         ", ".join(f"{k:g}" for k in kappa) if kappa
         else "pedigree: exact summation over untyped members" if family
         else "trio formula"),
        ("Loci", "independent (unlinked), Hardy–Weinberg within the database population"),
        ("Verbal scale", VERBAL_SCALE_SOURCE),
    ]
    with pdf.table(col_widths=(55, w - 55), first_row_as_headings=False) as table:
        for k, v in items:
            table.row([k, v])

    if result.warnings:
        heading("Warnings")
        for text in result.warnings:
            para(f"• {text}")
    pdf.ln(3)
    para("A likelihood ratio weighs the DNA evidence only. Whether a relationship is "
         "verified is decided together with documents and interviews, by two verifiers.", "I")
    return bytes(pdf.output())
