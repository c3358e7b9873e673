import Pipeline
import Testing
