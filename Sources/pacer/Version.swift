/// Pacer's version, printed by `pacer --version`. The VERSION file at the repository root is where it is set:
/// `hack/set-version.sh` writes it here, into the chart and the Dockerfile, and `hack/check-version.py` (`make test`)
/// fails when this copy differs from it.
enum PacerVersion {
    static let string = "0.1.0"
}
