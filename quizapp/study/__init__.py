"""Study between quizzes: topics and their facts, the timeline, and the review schedule."""
