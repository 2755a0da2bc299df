"""``trustwatch diff`` output: a terminal word diff and a self-contained HTML page."""

from trustwatch.parsers.redline_html import redline_fragment

_STYLE = """
body { font-family: Georgia, serif; max-width: 60rem; margin: 2rem auto; padding: 0 1rem;
       line-height: 1.5; color: #1b1b1b; }
.redline-text { white-space: pre-wrap; border-top: 1px solid #ccc; padding-top: 1rem; }
del { color: #9b1c1c; background: #fde8e8; text-decoration: line-through; }
ins { color: #03543f; background: #def7ec; text-decoration: underline; }
.provision-added { color: #03543f; } .provision-removed { color: #9b1c1c; }
"""


def html_page(comparison: dict, old_label: str, new_label: str) -> str:
    """A standalone redline page: no scripts, no external resources."""
    from html import escape

    title = escape(f"Redline: {old_label} → {new_label}")
    return (
        f'<!DOCTYPE html><html lang="en"><head><meta charset="utf-8"><title>{title}</title>'
        f"<style>{_STYLE}</style></head><body><h1>{title}</h1>"
        f"{redline_fragment(comparison, old_label, new_label)}</body></html>"
    )


def terminal_text(comparison: dict, color: bool) -> str:
    """Word diff for a terminal: colours on a tty, git's [-deleted-]{+inserted+} else."""
    red, green, reset = ("\033[31;9m", "\033[32;4m", "\033[0m") if color else ("", "", "")
    out = []
    for op, text in comparison["ops"]:
        if op == "equal":
            out.append(text)
        elif op == "delete":
            out.append(f"{red}{text}{reset}" if color else f"[-{text}-]")
        else:
            out.append(f"{green}{text}{reset}" if color else f"{{+{text}+}}")
    stats = comparison["stats"]
    changed = [
        f"  {s.get('number_new') or s.get('number_old')}: {s['status']}"
        for s in comparison["sections"]
        if s["status"] != "unchanged"
    ]
    footer = [
        "",
        "",
        f"{stats.get('words_added', 0)} words added, {stats.get('words_removed', 0)} removed; "
        f"{len(changed)} sections changed",
        *changed,
        f"Key provisions: {comparison['provisions']['summary']}",
    ]
    return "".join(out) + "\n".join(footer) + "\n"
