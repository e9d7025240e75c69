"""Progress bars for management commands (tqdm, written through the command's stdout)."""

from tqdm import tqdm


class _RawStream:
    """Hands tqdm's carriage-return updates to the command's stdout without the added newline."""

    def __init__(self, out):
        self.out = out

    def write(self, text: str) -> None:
        self.out.write(text, ending="")

    def flush(self) -> None:
        self.out.flush()


def progress_bar(stdout, *, total: int, desc: str, unit: str) -> tqdm:
    """A bar that redraws on a terminal and writes almost nothing into a file or pipe."""
    tty = stdout.isatty()
    return tqdm(
        total=total,
        desc=desc,
        unit=unit,
        file=_RawStream(stdout),
        mininterval=0.2 if tty else 60,
        ascii=not tty,
        ncols=None if tty else 80,
    )
