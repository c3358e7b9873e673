import Testing
@testable import PacerCore
