"""Cold start of `smtplesson explain` against `python -c "import smtplib"` (target: at most 2x).

Also `import smtplesson` against `import pandas, ipywidgets` (target: at most 1.1x): importing the
package must pull in nothing heavier than those two.
"""

from pathlib import Path

from _timing import PYTHON, report, time_commands

script = str(Path(PYTHON).parent / "smtplesson")
times = time_commands({
    "cli": [script, "explain", "535 5.7.8 Authentication credentials invalid"],
    "smtplib": [PYTHON, "-c", "import smtplib"],
    "import smtplesson": [PYTHON, "-c", "import smtplesson"],
    "import pandas, ipywidgets": [PYTHON, "-c", "import pandas, ipywidgets"],
})
report("CLI cold start vs import smtplib", times["cli"], times["smtplib"], 2.0)
report("import smtplesson vs import pandas, ipywidgets",
       times["import smtplesson"], times["import pandas, ipywidgets"], 1.1)
