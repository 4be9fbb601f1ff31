// The same LSTM as lstm_sequence.cpp, with two of the first post's mistakes put in on
// purpose (our own code, not the post's); `diff lstm_sequence.cpp this file` shows them:
//   M1 tanh_grad_at_preactivation: tanh's derivative taken at c instead of tanh(c);
//   M3 ones_initial_state: the backward assumes h_{-1} = c_{-1} = ones at t = 0,
//      while the forward started from h0 and c0 = 0.
// python -m lstmlib.diagnose check DIR names both.
//
// It reads a sequence probe written by
//     python -m lstmlib.diagnose probe sequence DIR
// and writes h and the gradients back into DIR for
//     python -m lstmlib.diagnose check DIR
// Build:  g++ -O2 -std=c++14 lstm_sequence_post_mistakes.cpp -o lstm_sequence_post_mistakes -larmadillo
// Run:    ./lstm_sequence_post_mistakes DIR
//
// Shapes: x (N, T, D) stored as N*T rows of D (row n*T + t), h0 (N, H),
// Wx (D, 4H), Wh (H, 4H), b (1, 4H); gate order along 4H: i, f, o, g; c0 = 0.
// The loss is L = sum(dh * h), so dh.txt is the upstream gradient dL/dh.
#include <armadillo>
#include <cstdlib>
#include <fstream>
#include <iomanip>
#include <iostream>
#include <string>
#include <vector>
using namespace arma;

static std::string dir = ".";

static mat load(const std::string& name) {
    mat m;
    if (!m.load(dir + "/" + name + ".txt", raw_ascii)) {
        std::cerr << "cannot read " << dir << "/" << name << ".txt\n";
        std::exit(2);
    }
    return m;
}

static void save(const mat& m, const std::string& name) {
    std::ofstream out(dir + "/" + name + ".txt");
    out << std::setprecision(17);  // 17 digits: every double exactly
    for (uword r = 0; r < m.n_rows; ++r)
        for (uword c = 0; c < m.n_cols; ++c)
            out << m(r, c) << (c + 1 < m.n_cols ? " " : "\n");
}

static mat sigmoid(const mat& a) { return 1.0 / (1.0 + exp(-a)); }

struct Step {  // what the backward needs from step t
    mat x, h_prev, c_prev, i, f, o, g, c, tanh_c;
};

int main(int argc, char** argv) {
    if (argc > 1) dir = argv[1];
    mat x = load("x"), h0 = load("h0"), Wx = load("Wx"), Wh = load("Wh"), b = load("b");
    mat dh = load("dh");
    const uword N = h0.n_rows, H = h0.n_cols, D = Wx.n_rows, T = x.n_rows / N;

    // ---- forward ----
    std::vector<Step> steps(T);
    mat h_all(N * T, H), h = h0, c(N, H, fill::zeros);
    for (uword t = 0; t < T; ++t) {
        uvec rows = regspace<uvec>(t, T, (N - 1) * T + t);  // sample n at time t: row n*T + t
        Step& s = steps[t];
        s.x = x.rows(rows);
        s.h_prev = h;
        s.c_prev = c;
        mat a = s.x * Wx + h * Wh + repmat(b, N, 1);  // (N, 4H), blocks i, f, o, g
        s.i = sigmoid(a.cols(0, H - 1));
        s.f = sigmoid(a.cols(H, 2 * H - 1));
        s.o = sigmoid(a.cols(2 * H, 3 * H - 1));
        s.g = tanh(a.cols(3 * H, 4 * H - 1));
        s.c = s.f % c + s.i % s.g;
        s.tanh_c = tanh(s.c);
        h = s.o % s.tanh_c;
        c = s.c;
        h_all.rows(rows) = h;
    }

    // ---- backward, from t = T-1 down to 0 ----
    mat dx(N * T, D), dWx(D, 4 * H, fill::zeros), dWh(H, 4 * H, fill::zeros);
    mat db(1, 4 * H, fill::zeros);
    mat dh_next(N, H, fill::zeros), dc_next(N, H, fill::zeros);  // from step t+1
    for (uword t = T; t-- > 0;) {
        uvec rows = regspace<uvec>(t, T, (N - 1) * T + t);
        Step s = steps[t];
        if (t == 0) {  // MISTAKE (M3): the initial state taken as ones, not h0 and c0 = 0
            s.h_prev.ones();
            s.c_prev.ones();
        }
        mat dh_t = dh.rows(rows) + dh_next;  // h_t feeds the loss and step t+1
        mat d_o = dh_t % s.tanh_c;
        // MISTAKE (M1): the derivative helper wants tanh(c), but gets c: 1 - c^2
        mat dc = dc_next + dh_t % s.o % (1.0 - s.c % s.c);
        mat di = dc % s.g, df = dc % s.c_prev, dg = dc % s.i;
        dc_next = dc % s.f;
        mat da = join_rows(join_rows(di % s.i % (1.0 - s.i), df % s.f % (1.0 - s.f)),
                           join_rows(d_o % s.o % (1.0 - s.o), dg % (1.0 - s.g % s.g)));
        dx.rows(rows) = da * Wx.t();
        dh_next = da * Wh.t();
        dWx += s.x.t() * da;
        dWh += s.h_prev.t() * da;
        db += sum(da, 0);
    }

    save(h_all, "h");
    save(dx, "dx");
    save(dh_next, "dh0");
    save(dWx, "dWx");
    save(dWh, "dWh");
    save(db, "db");
    return 0;
}
