// One LSTM step, forward and backward, in plain Java, written "gate as a neuron":
// every gate unit is a small neuron with its own input weights, recurrent weights and
// bias, and the backward sends each neuron an error (dL/dnet) as in a feed-forward net.
// Our own code, written for the book "LSTM Backprop, by Hand" (not the post's).
//
// It reads a step probe written by   python -m lstmlib.diagnose probe step DIR
// and writes next_h, next_c and the gradients back for   python -m lstmlib.diagnose check DIR
//   javac LstmNeuron.java
//   java LstmNeuron DIR               the correct backward
//   java LstmNeuron DIR --post-rule   with the second post's guessed bias rule:
//                                     the bias gradient multiplied by sigmoid(bias)
//                                     (catalogue id bias_grad_scaled_by_sigmoid)
// Shapes: x (N, D), prev_h, prev_c (N, H), Wx (D, 4H), Wh (H, 4H), b (4H);
// gate order along 4H: i, f, o, g.
import java.io.*;
import java.util.*;

public class LstmNeuron {
    static String dir = ".";

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

    static void save(double[][] m, String name) throws IOException {
        try (PrintWriter out = new PrintWriter(new FileWriter(new File(dir, name + ".txt")))) {
            for (double[] row : m) {
                StringBuilder line = new StringBuilder();
                for (int k = 0; k < row.length; k++) {
                    if (k > 0) line.append(' ');
                    line.append(String.format(Locale.ROOT, "%.17g", row[k]));  // exact
                }
                out.println(line);
            }
        }
    }

    static double sigmoid(double a) { return 1.0 / (1.0 + Math.exp(-a)); }

    /** A gate unit: net = bias + sum_d wx[d] x[d] + sum_j wh[j] h[j]; out = act(net). */
    static class Neuron {
        double[] wx, wh;
        double bias;
        boolean isTanh;  // the candidate g uses tanh, the gates i, f, o a sigmoid
        double[] dwx, dwh;
        double dbias;

        double fire(double[] x, double[] h) {
            double net = bias;
            for (int d = 0; d < x.length; d++) net += wx[d] * x[d];
            for (int j = 0; j < h.length; j++) net += wh[j] * h[j];
            return isTanh ? Math.tanh(net) : sigmoid(net);
        }

        // d(out)/d(net), written with the output y
        double slope(double y) { return isTanh ? 1.0 - y * y : y * (1.0 - y); }

        // The neuron's error delta = dL/dnet: accumulate its weight gradients and send
        // delta * weight back to every input.
        void learn(double delta, double[] x, double[] h, double[] dx, double[] dh,
                   boolean postRule) {
            for (int d = 0; d < x.length; d++) { dwx[d] += delta * x[d]; dx[d] += delta * wx[d]; }
            for (int j = 0; j < h.length; j++) { dwh[j] += delta * h[j]; dh[j] += delta * wh[j]; }
            if (postRule) dbias += delta * sigmoid(bias);  // MISTAKE: a bias's input is 1
            else dbias += delta;
        }
    }

    public static void main(String[] args) throws IOException {
        if (args.length > 0) dir = args[0];
        boolean postRule = args.length > 1 && args[1].equals("--post-rule");
        double[][] x = load("x"), prevH = load("prev_h"), prevC = load("prev_c");
        double[][] Wx = load("Wx"), Wh = load("Wh"), b = load("b");
        double[][] dnextH = load("dnext_h"), dnextC = load("dnext_c");
        int N = x.length, D = x[0].length, H = prevH[0].length;

        // 4H neurons; neuron k reads column k of Wx and Wh. Blocks: i, f, o, g.
        Neuron[] unit = new Neuron[4 * H];
        for (int k = 0; k < 4 * H; k++) {
            Neuron u = new Neuron();
            u.wx = new double[D];
            u.wh = new double[H];
            for (int d = 0; d < D; d++) u.wx[d] = Wx[d][k];
            for (int j = 0; j < H; j++) u.wh[j] = Wh[j][k];
            u.bias = b[0][k];
            u.isTanh = k >= 3 * H;
            u.dwx = new double[D];
            u.dwh = new double[H];
            unit[k] = u;
        }

        double[][] nextH = new double[N][H], nextC = new double[N][H];
        double[][] dx = new double[N][D], dprevH = new double[N][H], dprevC = new double[N][H];
        for (int n = 0; n < N; n++) {
            // forward: every neuron fires on (x, prev_h)
            double[] y = new double[4 * H];
            for (int k = 0; k < 4 * H; k++) y[k] = unit[k].fire(x[n], prevH[n]);
            double[] tanhC = new double[H];
            for (int j = 0; j < H; j++) {
                double i = y[j], f = y[H + j], o = y[2 * H + j], g = y[3 * H + j];
                nextC[n][j] = f * prevC[n][j] + i * g;
                tanhC[j] = Math.tanh(nextC[n][j]);
                nextH[n][j] = o * tanhC[j];
            }
            // backward: the error of each gate's output, then of its net input
            for (int j = 0; j < H; j++) {
                double i = y[j], f = y[H + j], o = y[2 * H + j], g = y[3 * H + j];
                double dc = dnextC[n][j] + dnextH[n][j] * o * (1.0 - tanhC[j] * tanhC[j]);
                double[] dout = {dc * g, dc * prevC[n][j], dnextH[n][j] * tanhC[j], dc * i};
                dprevC[n][j] = dc * f;
                for (int gate = 0; gate < 4; gate++) {
                    Neuron u = unit[gate * H + j];
                    double delta = dout[gate] * u.slope(y[gate * H + j]);
                    u.learn(delta, x[n], prevH[n], dx[n], dprevH[n], postRule);
                }
            }
        }

        double[][] dWx = new double[D][4 * H], dWh = new double[H][4 * H], db = new double[1][4 * H];
        for (int k = 0; k < 4 * H; k++) {
            for (int d = 0; d < D; d++) dWx[d][k] = unit[k].dwx[d];
            for (int j = 0; j < H; j++) dWh[j][k] = unit[k].dwh[j];
            db[0][k] = unit[k].dbias;
        }
        save(nextH, "next_h");
        save(nextC, "next_c");
        save(dx, "dx");
        save(dprevH, "dprev_h");
        save(dprevC, "dprev_c");
        save(dWx, "dWx");
        save(dWh, "dWh");
        save(db, "db");
    }
}
