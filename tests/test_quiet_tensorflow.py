import subprocess
import sys

START_UP_MARKERS = ("absl::InitializeLog", "cudart_stub", "cuInit", "I0000 ", "E0000 ")


def standard_error_of(code: str) -> str:
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=300, check=True)
    return done.stderr


def test_importing_the_library_first_silences_tensorflows_c_plus_plus_start_up_lines():
    quiet = standard_error_of("import acgan_lib, keras, tensorflow as tf; print(tf.constant(1.0) + 1)")
    assert not [marker for marker in START_UP_MARKERS if marker in quiet], quiet


def test_errors_during_the_quiet_import_still_reach_the_user():
    # The descriptor is restored after the import: what the program writes to stderr later is kept.
    message = standard_error_of("import acgan_lib, tensorflow, sys; print('after the import', file=sys.stderr)")
    assert "after the import" in message
