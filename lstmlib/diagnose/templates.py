"""Reader-side templates (C++ with Armadillo, plain Java) that ``write_probe`` puts in a probe
directory: they read the probe's inputs, leave a TODO for the reader's LSTM, and write the
outputs in the format ``check_files`` reads."""

def _rows(shape):
    if len(shape) == 3:
        return shape[0] * shape[1], shape[2]
    return (1, shape[0]) if len(shape) == 1 else tuple(shape)


CPP_HELPERS = r"""#include <armadillo>
#include <cstdlib>
#include <fstream>
#include <iomanip>
#include <iostream>
#include <string>
using namespace arma;

static std::string dir = ".";

// Read DIR/NAME.txt: one matrix row per line, numbers separated by spaces.
static mat load(const std::string& name) {
    mat m;
    if (!m.load(dir + "/" + name + ".txt", raw_ascii)) {
        std::cerr << "cannot read " << dir << "/" << name << ".txt\n";
        std::exit(2);
    }
    return m;
}

// Write DIR/NAME.txt the same way, with 17 significant digits (every double exactly).
static void save(const mat& m, const std::string& name) {
    std::ofstream out(dir + "/" + name + ".txt");
    out << std::setprecision(17);
    for (uword r = 0; r < m.n_rows; ++r)
        for (uword c = 0; c < m.n_cols; ++c)
            out << m(r, c) << (c + 1 < m.n_cols ? " " : "\n");
}
"""

JAVA_HELPERS = r"""    static String dir = ".";

    // Read DIR/NAME.txt: one matrix row per line, numbers separated by spaces.
    static double[][] load(String name) throws IOException {
        List<double[]> rows = new ArrayList<>();
        try (Scanner lines = new Scanner(new File(dir, name + ".txt"), "UTF-8")) {
            while (lines.hasNextLine()) {
                String line = lines.nextLine().trim();
                if (line.isEmpty()) continue;
                String[] tokens = line.split("\\s+");
                double[] row = new double[tokens.length];
                for (int k = 0; k < tokens.length; k++) row[k] = Double.parseDouble(tokens[k]);
                rows.add(row);
            }
        }
        return rows.toArray(new double[0][]);
    }

    // Write DIR/NAME.txt the same way, with 17 significant digits (every double exactly).
    static void save(double[][] m, String name) throws IOException {
        try (PrintWriter out = new PrintWriter(new FileWriter(new File(dir, name + ".txt")))) {
            for (double[] row : m) {
                StringBuilder line = new StringBuilder();
                for (int k = 0; k < row.length; k++) {
                    if (k > 0) line.append(' ');
                    line.append(String.format(Locale.ROOT, "%.17g", row[k]));
                }
                out.println(line);
            }
        }
    }
"""


def _layout_comment(kind, dims):
    if kind == "sequence":
        return ("3-D arrays (x, dh, h, dx) are N*T rows: row n*T + t is sample n at time t.")
    return "Gate order along 4H: i, f, o, g."


def cpp(kind, dims, inputs, upstream, outputs):
    """The C++ (Armadillo) template of a probe: load every input, TODO, save every output."""
    consts = ", ".join(f"{k} = {v}" for k, v in dims.items())
    loads = "\n".join(f"    mat {n} = load(\"{n}\");  // {' x '.join(map(str, _rows(a.shape)))}"
                      for n, a in {**inputs, **upstream}.items())
    makes = "\n".join(f"    mat {n}(" + ", ".join(map(str, _rows(shape))) + ", fill::zeros);"
                      for n, (shape, _) in outputs.items())
    saves = "\n".join(f"    save({n}, \"{n}\");" for n in outputs)
    return f"""// lstmlib probe "{kind}": read the inputs, compute, write the outputs (README.txt).
// Build and run:
//   g++ -O2 -std=c++14 template.cpp -o my_lstm -larmadillo && ./my_lstm DIR
// Then:           python -m lstmlib.diagnose check DIR
// {_layout_comment(kind, dims)}
{CPP_HELPERS}
int main(int argc, char** argv) {{
    if (argc > 1) dir = argv[1];
    const int {consts};
{loads}

{makes}

    // TODO: your LSTM here: fill the matrices above (gate order i, f, o, g along 4H).

{saves}
    return 0;
}}
"""


def java(kind, dims, inputs, upstream, outputs):
    """The plain-Java template of a probe: load every input, TODO, save every output."""
    consts = ", ".join(f"{k} = {v}" for k, v in dims.items())
    loads = "\n".join(f"        double[][] {n} = load(\"{n}\");  // "
                      f"{' x '.join(map(str, _rows(a.shape)))}"
                      for n, a in {**inputs, **upstream}.items())
    makes = "\n".join(f"        double[][] {n} = new double[{_rows(shape)[0]}][{_rows(shape)[1]}];"
                      for n, (shape, _) in outputs.items())
    saves = "\n".join(f"        save({n}, \"{n}\");" for n in outputs)
    return f"""// lstmlib probe "{kind}": read the inputs, compute, write the outputs (README.txt).
// Build and run:  javac Template.java && java Template DIR
// Then:           python -m lstmlib.diagnose check DIR
// {_layout_comment(kind, dims)}
import java.io.*;
import java.util.*;

public class Template {{
{JAVA_HELPERS}
    public static void main(String[] args) throws IOException {{
        if (args.length > 0) dir = args[0];
        final int {consts};
{loads}

{makes}

        // TODO: your LSTM here: fill the arrays above (gate order i, f, o, g along 4H).

{saves}
    }}
}}
"""


__all__ = ["cpp", "java", "CPP_HELPERS", "JAVA_HELPERS"]
