build-land/viz/layout/ui.o: viz/layout/ui.c viz/model/playhead.h \
 viz/model/view_model.h runtime/model/trace_model.h viz/layout/theme.h \
 viz/layout/drawlist.h viz/model/view_model.h viz/layout/ui.h
viz/model/playhead.h:
viz/model/view_model.h:
runtime/model/trace_model.h:
viz/layout/theme.h:
viz/layout/drawlist.h:
viz/model/view_model.h:
viz/layout/ui.h:
