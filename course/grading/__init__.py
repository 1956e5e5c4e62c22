"""Grading the course's problem sets with nbgrader, safely.

Small classes, each doing one job (like nbgrader's preprocessors). This
package's ``__init__`` stays import-light: the grading kernel imports
:mod:`course.grading.kernel_boot` through it.
"""
