"""Does bpkit.labels write each symbol of the notes the way the lessons show it, in every form?"""
from bpkit import labels


def test_unicode_labels():
    """Are σ^l_i, sum^l_i, w^l_ij and the partials written with Unicode super- and subscripts?"""
    assert labels.neuron(2, 1) == "σ²₁"
    assert labels.neuron(1, 0, "sum") == "sum¹₀"
    assert labels.weight(1, 0, 1) == "w¹₀₁"
    assert labels.weight(3, 10, 12) == "w³₁₀,₁₂"      # a comma once an index has two digits
    assert labels.weight(1, 10, 1) != labels.weight(1, 1, 1) and labels.weight(1, 10, 1) == "w¹₁₀,₁"
    assert labels.partial("σ", 1, 0) == "∂E/∂σ¹₀" and labels.partial("sum", 2, "p") == "∂E/∂sum²p"


def test_html_labels():
    """Are the HTML forms the <sup>/<sub> markup the widget tables show?"""
    assert labels.neuron_html(1, 2) == "σ<sup>1</sup><sub>2</sub>"
    assert labels.neuron_html(2, "p", "sum") == "sum<sup>2</sup><sub>p</sub>"
    assert labels.weight_html(2, 0, 1) == "w<sup>2</sup><sub>01</sub>"
    assert labels.weight_html(2, 11, 1) == "w<sup>2</sup><sub>11,1</sub>"
    assert labels.sup_html("L") == "<sup>L</sup>"
    assert labels.notes_html("w^1_2") == "w<sup>1</sup><sub>2</sub>"


def test_latex_and_svg_labels():
    """Is w^l_ij in mathtext for axes, and do the SVG spans shift the baseline?"""
    assert labels.weight_tex(1, 0, 1) == "$w^{1}_{01}$"
    assert labels.weight_tex(2, 10, 3) == "$w^{2}_{10,3}$"
    assert labels.svg_sup(2) == "<tspan baseline-shift='super' font-size='8'>2</tspan>"
    assert labels.svg_sub("01") == "<tspan baseline-shift='sub' font-size='8'>01</tspan>"


def test_text_labels():
    """Are the plain-text forms the notes' own spelling (w^l_ij, σ^l_i), the form hints and errors use?"""
    assert labels.weight_text(2, 0, 1) == "w^2_01"
    assert labels.weight_text(1, 10, 2) == "w^1_10,2" and labels.weight_text(1, 1, 2) == "w^1_12"
    assert labels.neuron_text(1, 0) == "σ^1_0"
    assert labels.neuron_text(2, "p", "sum") == "sum^2_p"


def test_letter_indices():
    """Are letters and expressions as indices written as they are (w^{l+1}_jp, w^1_·j), never read as numbers?"""
    assert labels.weight_text("l+1", "j", "p") == "w^{l+1}_jp" and labels.neuron_text("l-1", "i") == "σ^{l-1}_i"
    assert labels.weight_html(1, "·", 3) == "w<sup>1</sup><sub>·3</sub>"
    assert labels.weight_html(1, "·", 12) == "w<sup>1</sup><sub>·12</sub>"
    assert labels.weight_html("l", "i", "j") == "w<sup>l</sup><sub>ij</sub>"
