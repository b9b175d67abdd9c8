"""The verb list of `polc help`, as the manual pages (gen-man.py) and the completions
(gen-completions.py) both read it: one place that knows the overview's layout."""
import re


def overview_lines(overview):
    """(synopsis, summary) for each line of the overview's `verbs:` list, in its order."""
    lines = []
    listing = overview.split("\nverbs:\n", 1)[1].split("\n\n", 1)[0]
    for line in listing.split("\n"):
        if not line.startswith("  ") or line.startswith("  -"):
            continue
        text = line[2:]
        gap = re.search(r" {2,}", text)
        # A synopsis of 17 characters or more is followed by one space only (the padding is 18).
        cut = gap.start() if gap else text.index(" ", 17)
        lines.append((text[:cut], text[cut:].strip()))
    return lines
