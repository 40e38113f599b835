"""Reading the lab's env files (.lab/lab.env, .lab/site2.env) as a shell that sourced them would."""


def read_env_file(path):
    values = {}
    with open(path) as handle:
        for line in handle:
            line = line.strip()
            if line.startswith("export "):
                key, _, value = line[len("export "):].partition("=")
                values[key] = value.strip("'")
    return values
